import { Errors, ZError } from "../../errors.js";
import { ORG_OWNER_ROLE, type OrgCommand } from "./commands.js";
import type { OrgEvent } from "./events.js";
import type { OrgState } from "./state.js";

/** Decides which events a command produces, or throws a catalogued error. Pure. */
export function decide(command: OrgCommand, state: OrgState): OrgEvent[] {
  switch (command.type) {
    case "AddOrg": {
      if (state.status !== "unspecified") throw new ZError(Errors.Org.AlreadyExists);
      const domain = { domain: command.primaryDomain };
      return [
        { type: "org.added", payload: { name: command.name } },
        { type: "org.domain.added", payload: domain },
        { type: "org.domain.verified", payload: domain },
        { type: "org.domain.primary.set", payload: domain },
        { type: "org.member.added", payload: { userId: command.ownerId, roles: [ORG_OWNER_ROLE] } },
      ];
    }
    case "AddMember":
      if (state.status === "unspecified") throw new ZError(Errors.Org.QueryNotFound);
      if (state.members[command.userId]) throw new ZError(Errors.Org.MemberAlreadyExists);
      return [{ type: "org.member.added", payload: { userId: command.userId, roles: command.roles } }];
    case "RemoveMember":
      if (!state.members[command.userId]) throw new ZError(Errors.Org.MemberNotFound);
      return [{ type: "org.member.removed", payload: { userId: command.userId } }];
  }
}

/** Folds one event into the state. Pure and total: unknown events change nothing. */
export function evolve(state: OrgState, event: OrgEvent): OrgState {
  switch (event.type) {
    case "org.added":
      return { ...state, status: "active", name: event.payload.name };
    case "org.domain.primary.set":
      return { ...state, primaryDomain: event.payload.domain };
    case "org.member.added":
    case "org.member.changed":
      return { ...state, members: { ...state.members, [event.payload.userId]: event.payload.roles } };
    case "org.member.removed":
    case "org.member.cascade.removed": {
      const { [event.payload.userId]: _removed, ...members } = state.members;
      return { ...state, members };
    }
    default:
      return state;
  }
}
