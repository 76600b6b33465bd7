import { describe, it } from "vitest";
import { userDecider } from "../../../src/domain/user/decider.js";
import type { UserCommand } from "../../../src/domain/user/commands.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";
import { human, humanAdded, initCodeAdded, machineAdded, patAdded, userLocked, userUnlocked } from "../../support/user-fixtures.js";

const spec = deciderSpec(userDecider);
const unlock: UserCommand = { type: "Unlock" };
const lock: UserCommand = { type: "Lock" };

describe("UnlockUser", () => {
  it("unlocks a locked user", () => {
    spec
      .given([humanAdded(), userLocked()])
      .when(unlock)
      .then([{ type: "user.unlocked", payload: null }]);
  });
  it("unlocks a locked machine user", () => {
    spec
      .given([machineAdded(), userLocked()])
      .when(unlock)
      .then([{ type: "user.unlocked", payload: null }]);
  });
  it("unlocks a user locked while still initial", () => {
    spec
      .given([humanAdded(), initCodeAdded(), userLocked()])
      .when(unlock)
      .then([{ type: "user.unlocked", payload: null }]);
  });
  it("rejects a user that does not exist", () => {
    spec.given([]).when(unlock).thenThrows(Errors.User.UnlockNotFound);
  });
  it("rejects an active user", () => {
    spec.given([humanAdded()]).when(unlock).thenThrows(Errors.User.NotLocked);
  });
  it("rejects a user that was already unlocked", () => {
    spec.given([humanAdded(), userLocked(), userUnlocked()]).when(unlock).thenThrows(Errors.User.NotLocked);
  });
  it("rejects an initial user", () => {
    spec.given([humanAdded(), initCodeAdded()]).when(unlock).thenThrows(Errors.User.NotLocked);
  });
});

describe("LockUser", () => {
  it("locks an active user", () => {
    spec
      .given([humanAdded()])
      .when(lock)
      .then([{ type: "user.locked", payload: null }]);
  });
  it("locks an initial user", () => {
    spec
      .given([humanAdded(), initCodeAdded()])
      .when(lock)
      .then([{ type: "user.locked", payload: null }]);
  });
  it("rejects a user that does not exist", () => {
    spec.given([]).when(lock).thenThrows(Errors.User.LockNotFound);
  });
  it("rejects a locked user", () => {
    spec.given([humanAdded(), userLocked()]).when(lock).thenThrows(Errors.User.ShouldBeActiveOrInitial);
  });
});

describe("AddHuman", () => {
  const add = (emailVerified: boolean, encodedHash?: string): UserCommand => ({
    type: "AddHuman",
    human: { ...human, encodedHash, phone: "+41791234567" },
    emailVerified,
    phoneVerified: true,
  });
  it("adds an active human when the email is verified and a password is set", () => {
    spec
      .given([])
      .when(add(true, "hash"))
      .then([
        { type: "user.human.added", payload: { ...human, encodedHash: "hash", phone: "+41791234567" } },
        { type: "user.human.email.verified", payload: null },
        { type: "user.human.phone.verified", payload: null },
      ]);
  });
  it("leaves the human initial without a password", () => {
    spec
      .given([])
      .when(add(true))
      .then([
        { type: "user.human.added", payload: { ...human, encodedHash: undefined, phone: "+41791234567" } },
        { type: "user.human.email.verified", payload: null },
        { type: "user.human.phone.verified", payload: null },
        { type: "user.human.initialization.code.added", payload: null },
      ]);
  });
  it("leaves the human initial with an unverified email", () => {
    spec
      .given([])
      .when(add(false, "hash"))
      .then([
        { type: "user.human.added", payload: { ...human, encodedHash: "hash", phone: "+41791234567" } },
        { type: "user.human.phone.verified", payload: null },
        { type: "user.human.initialization.code.added", payload: null },
      ]);
  });
  it("rejects an id that is taken", () => {
    spec.given([machineAdded()]).when(add(true, "hash")).thenThrows(Errors.User.IdAlreadyExists);
  });
});

describe("AddMachine", () => {
  it("adds a machine user", () => {
    const machine = { userName: "robot", name: "Robot" };
    spec
      .given([])
      .when({ type: "AddMachine", machine })
      .then([{ type: "user.machine.added", payload: machine }]);
  });
  it("rejects an id that is taken", () => {
    spec
      .given([humanAdded()])
      .when({ type: "AddMachine", machine: { userName: "r", name: "R" } })
      .thenThrows(Errors.User.IdAlreadyExists);
  });
});

describe("AddPersonalAccessToken", () => {
  const token = { tokenId: "t1", expiration: "9999-12-31T23:59:59Z", scopes: ["openid"], tokenHash: "h" };
  it("adds a token to a machine user", () => {
    spec.given([machineAdded()]).when({ type: "AddPersonalAccessToken", token }).then([patAdded()]);
  });
  it("rejects a user that does not exist", () => {
    spec.given([]).when({ type: "AddPersonalAccessToken", token }).thenThrows(Errors.User.PatUserNotFound);
  });
  it("rejects a human user", () => {
    spec.given([humanAdded()]).when({ type: "AddPersonalAccessToken", token }).thenThrows(Errors.User.WrongType);
  });
});

describe("DeactivateUser", () => {
  const deactivate: UserCommand = { type: "Deactivate" };
  it("deactivates an active user", () => {
    spec
      .given([humanAdded()])
      .when(deactivate)
      .then([{ type: "user.deactivated", payload: null }]);
  });
  it("deactivates a locked user", () => {
    spec
      .given([humanAdded(), userLocked()])
      .when(deactivate)
      .then([{ type: "user.deactivated", payload: null }]);
  });
  it("rejects a user that does not exist", () => {
    spec.given([]).when(deactivate).thenThrows(Errors.User.DeactivateNotFound);
  });
  it("rejects an initial user", () => {
    spec.given([humanAdded(), initCodeAdded()]).when(deactivate).thenThrows(Errors.User.CantDeactivateInitial);
  });
  it("rejects an inactive user", () => {
    spec
      .given([humanAdded(), { type: "user.deactivated", payload: null }])
      .when(deactivate)
      .thenThrows(Errors.User.AlreadyInactive);
  });
});

describe("ReactivateUser", () => {
  const reactivate: UserCommand = { type: "Reactivate" };
  it("reactivates an inactive user", () => {
    spec
      .given([humanAdded(), { type: "user.deactivated", payload: null }])
      .when(reactivate)
      .then([{ type: "user.reactivated", payload: null }]);
  });
  it("rejects a user that does not exist", () => {
    spec.given([]).when(reactivate).thenThrows(Errors.User.ReactivateNotFound);
  });
  it("rejects an active user", () => {
    spec.given([humanAdded()]).when(reactivate).thenThrows(Errors.User.NotInactive);
  });
  it("rejects a locked user", () => {
    spec.given([humanAdded(), userLocked()]).when(reactivate).thenThrows(Errors.User.NotInactive);
  });
});

describe("UnlockUser after deactivation", () => {
  it("rejects an inactive user", () => {
    spec
      .given([humanAdded(), userLocked(), { type: "user.deactivated", payload: null }])
      .when(unlock)
      .thenThrows(Errors.User.NotLocked);
  });
  it("rejects locking an inactive user", () => {
    spec
      .given([humanAdded(), { type: "user.deactivated", payload: null }])
      .when(lock)
      .thenThrows(Errors.User.ShouldBeActiveOrInitial);
  });
});
