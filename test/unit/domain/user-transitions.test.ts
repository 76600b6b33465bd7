import { describe, it } from "vitest";
import { userDecider } from "../../../src/domain/user/decider.js";
import type { UserCommand } from "../../../src/domain/user/commands.js";
import type { ApiVersion } from "../../../src/domain/user/transitions.js";
import type { UserEvent } from "../../../src/domain/user/events.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";
import { humanAdded, initCodeAdded, machineAdded, userLocked, userUnlocked } from "../../support/user-fixtures.js";

const spec = deciderSpec(userDecider);
const event = (type: "user.locked" | "user.unlocked" | "user.deactivated" | "user.reactivated" | "user.removed"): UserEvent => ({ type, payload: null });
const deactivated = () => event("user.deactivated");
const reactivated = () => event("user.reactivated");
const removed = () => event("user.removed");

/** Every state a user can be in, as the events that lead there. */
const states: Record<string, UserEvent[]> = {
  active: [humanAdded()],
  "active machine": [machineAdded()],
  initial: [humanAdded(), initCodeAdded()],
  locked: [humanAdded(), userLocked()],
  inactive: [humanAdded(), deactivated()],
  "locked, then deactivated": [humanAdded(), userLocked(), deactivated()],
  removed: [humanAdded(), removed()],
  unknown: [],
};

type Outcome = UserEvent["type"] | keyof typeof Errors.User | keyof typeof Errors.UserV2 | keyof typeof Errors.Lifecycle;

/** The expected outcome of each command in each state, per API version (ZITADEL's ids differ). */
const table: Record<string, Record<"Lock" | "Unlock" | "Deactivate" | "Reactivate" | "Remove", [Outcome, Outcome]>> = {
  active: {
    Lock: ["user.locked", "user.locked"],
    Unlock: ["NotLocked", "NotLocked"],
    Deactivate: ["user.deactivated", "user.deactivated"],
    Reactivate: ["NotInactive", "NotInactive"],
    Remove: ["user.removed", "user.removed"],
  },
  "active machine": {
    Lock: ["user.locked", "user.locked"],
    Unlock: ["NotLocked", "NotLocked"],
    Deactivate: ["user.deactivated", "user.deactivated"],
    Reactivate: ["NotInactive", "NotInactive"],
    Remove: ["user.removed", "user.removed"],
  },
  initial: {
    Lock: ["user.locked", "user.locked"],
    Unlock: ["NotLocked", "NotLocked"],
    Deactivate: ["CantDeactivateInitial", "CantDeactivateInitial"],
    Reactivate: ["NotInactive", "NotInactive"],
    Remove: ["user.removed", "user.removed"],
  },
  locked: {
    Lock: ["ShouldBeActiveOrInitial", "ShouldBeActiveOrInitial"],
    Unlock: ["user.unlocked", "user.unlocked"],
    // A locked user can be deactivated; reactivating it then gives an active user.
    Deactivate: ["user.deactivated", "user.deactivated"],
    Reactivate: ["NotInactive", "NotInactive"],
    Remove: ["user.removed", "user.removed"],
  },
  inactive: {
    Lock: ["ShouldBeActiveOrInitial", "ShouldBeActiveOrInitial"],
    Unlock: ["NotLocked", "NotLocked"],
    Deactivate: ["AlreadyInactive", "AlreadyInactive"],
    Reactivate: ["user.reactivated", "user.reactivated"],
    Remove: ["user.removed", "user.removed"],
  },
  "locked, then deactivated": {
    Lock: ["ShouldBeActiveOrInitial", "ShouldBeActiveOrInitial"],
    Unlock: ["NotLocked", "NotLocked"],
    Deactivate: ["AlreadyInactive", "AlreadyInactive"],
    Reactivate: ["user.reactivated", "user.reactivated"],
    Remove: ["user.removed", "user.removed"],
  },
  removed: {
    Lock: ["LockNotFound", "LockNotFound"],
    Unlock: ["UnlockNotFound", "UnlockNotFound"],
    Deactivate: ["DeactivateNotFound", "DeactivateNotFound"],
    Reactivate: ["ReactivateNotFound", "ReactivateNotFound"],
    Remove: ["RemoveNotFound", "RemoveNotFound"],
  },
  unknown: {
    Lock: ["LockNotFound", "LockNotFound"],
    Unlock: ["UnlockNotFound", "UnlockNotFound"],
    Deactivate: ["DeactivateNotFound", "DeactivateNotFound"],
    Reactivate: ["ReactivateNotFound", "ReactivateNotFound"],
    Remove: ["RemoveNotFound", "RemoveNotFound"],
  },
};

/** v1 ids live in Errors.User (lock/unlock/deactivate/reactivate) and Errors.Lifecycle (remove); v2 in Errors.UserV2. */
function entryFor(outcome: string, api: ApiVersion) {
  const groups = api === 1 ? [Errors.User, Errors.Lifecycle] : [Errors.UserV2];
  for (const group of groups) {
    const entry = (group as Record<string, (typeof Errors.User)[keyof typeof Errors.User]>)[outcome];
    if (entry) return entry;
  }
  throw new Error(`no ${outcome} for v${api}`);
}

describe.each([1, 2] as const)("user state transitions, v%i", (api) => {
  for (const [state, given] of Object.entries(states)) {
    describe(`given a user that is ${state}`, () => {
      for (const [command, outcomes] of Object.entries(table[state]!)) {
        const outcome = outcomes[api - 1]!;
        it(`${command} → ${outcome}`, () => {
          const when = spec.given(given).when({ type: command, api } as UserCommand);
          if (outcome.startsWith("user.")) when.then([{ type: outcome, payload: null } as UserEvent]);
          else when.thenThrows(entryFor(outcome, api));
        });
      }
    });
  }
});

describe("ZITADEL's ids differ between v1 and v2", () => {
  it("v1 reports an initial user that cannot be deactivated as NOT_FOUND (COMMAND-ke0fw), v2 as FAILED_PRECONDITION (COMMAND-gvx4kct9r2)", () => {
    spec.given(states.initial!).when({ type: "Deactivate" }).thenThrows(Errors.User.CantDeactivateInitial);
    spec.given(states.initial!).when({ type: "Deactivate", api: 2 }).thenThrows(Errors.UserV2.CantDeactivateInitial);
  });
  it("an unlock written by either API unlocks for both", () => {
    spec
      .given([humanAdded(), userLocked(), userUnlocked(), userLocked()])
      .when({ type: "Unlock", api: 2 })
      .then([{ type: "user.unlocked", payload: null }]);
    spec.given([humanAdded(), userLocked(), userUnlocked()]).when({ type: "Unlock" }).thenThrows(Errors.User.NotLocked);
  });
  it("reactivating a user that was locked and then deactivated gives an active user", () => {
    spec
      .given([humanAdded(), userLocked(), deactivated(), reactivated()])
      .when({ type: "Lock", api: 2 })
      .then([{ type: "user.locked", payload: null }]);
  });
});

describe("AddHuman per API version", () => {
  const add = (api?: ApiVersion, encodedHash?: string): UserCommand => ({
    type: "AddHuman",
    human: { userName: "grace", firstName: "Grace", lastName: "Hopper", email: "grace@example.com", encodedHash },
    emailVerified: false,
    phoneVerified: false,
    api,
  });
  it("v1 asks an unverified human to initialise", () => {
    spec
      .given([])
      .when(add(1, "hash"))
      .then([
        { type: "user.human.added", payload: { userName: "grace", firstName: "Grace", lastName: "Hopper", email: "grace@example.com", encodedHash: "hash" } },
        { type: "user.human.initialization.code.added", payload: null },
      ]);
  });
  it("v2 never adds an initialisation code", () => {
    spec
      .given([])
      .when(add(2))
      .then([
        {
          type: "user.human.added",
          payload: { userName: "grace", firstName: "Grace", lastName: "Hopper", email: "grace@example.com", encodedHash: undefined },
        },
      ]);
  });
  it("rejects a user id that is taken, even by a removed user", () => {
    spec.given([humanAdded(), removed()]).when(add(2)).thenThrows(Errors.User.IdAlreadyExists);
  });
});
