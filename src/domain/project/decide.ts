import { Errors, ZError } from "../../errors.js";
import type { ProjectCommand } from "./commands.js";
import type { ProjectEvent } from "./events.js";
import type { ProjectState } from "./state.js";

/** Decides which events a command produces, or throws a catalogued error. Pure. */
export function decide(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  switch (command.type) {
    case "AddProject":
      if (state.status !== "unspecified") throw new ZError(Errors.Project.AlreadyExisting);
      return [{ type: "project.added", payload: command.project }];
    case "AddOidcApp": {
      if (state.status !== "active") throw new ZError(Errors.Project.NotFound);
      const { appId } = command.config;
      if (state.apps[appId]) throw new ZError(Errors.Project.AppAlreadyExisting);
      if (Object.values(state.apps).some((app) => app.name === command.name)) throw new ZError(Errors.Project.AppNameTaken);
      return [
        { type: "project.application.added", payload: { appId, name: command.name } },
        { type: "project.application.config.oidc.added", payload: command.config },
      ];
    }
    case "RemoveApp":
      if (!state.apps[command.appId]) throw new ZError(Errors.Project.AppNotExisting);
      return [{ type: "project.application.removed", payload: { appId: command.appId } }];
  }
}

/** Folds one event into the state. Pure and total: unknown events change nothing. */
export function evolve(state: ProjectState, event: ProjectEvent): ProjectState {
  switch (event.type) {
    case "project.added":
      return { ...state, status: "active", name: event.payload.name };
    case "project.application.added":
      return { ...state, apps: { ...state.apps, [event.payload.appId]: { name: event.payload.name } } };
    case "project.application.removed": {
      const { [event.payload.appId]: _removed, ...apps } = state.apps;
      return { ...state, apps };
    }
    default:
      return state;
  }
}
