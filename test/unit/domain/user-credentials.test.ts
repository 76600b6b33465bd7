import { describe, expect, it } from "vitest";
import type { UserCommand } from "../../../src/domain/user/commands.js";
import { userDecider } from "../../../src/domain/user/decider.js";
import type { UserEvent } from "../../../src/domain/user/events.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";
import { humanAdded, machineAdded, patAdded, userLocked } from "../../support/user-fixtures.js";

const spec = deciderSpec(userDecider);
const key = { keyId: "k1", type: 1, expirationDate: "9999-12-31T23:59:59Z", publicKey: "cHVibGlj" };
const keyAdded = (): UserEvent => ({ type: "user.machine.key.added", payload: key });
const secretSet = (): UserEvent => ({ type: "user.machine.secret.set", payload: { hashedSecret: "h" } });

describe("AddMachineKey", () => {
  const add: UserCommand = { type: "AddMachineKey", key };
  it("adds a key to a machine user, also a locked one", () => {
    spec.given([machineAdded()]).when(add).then([keyAdded()]);
    spec.given([machineAdded(), userLocked()]).when(add).then([keyAdded()]);
  });
  it("rejects a user that does not exist as a failed precondition", () => {
    spec.given([]).when(add).thenThrows(Errors.User.KeyUserNotFound);
  });
  it("rejects a human", () => {
    spec.given([humanAdded()]).when(add).thenThrows(Errors.User.WrongType);
  });
  it("rejects a key id that exists", () => {
    spec.given([machineAdded(), keyAdded()]).when(add).thenThrows(Errors.User.KeyAlreadyExists);
  });
});

describe("RemoveMachineKey", () => {
  it("removes a key the user has", () => {
    spec
      .given([machineAdded(), keyAdded()])
      .when({ type: "RemoveMachineKey", keyId: "k1" })
      .then([{ type: "user.machine.key.removed", payload: { keyId: "k1" } }]);
  });
  it("rejects an unknown or already removed key", () => {
    spec.given([machineAdded()]).when({ type: "RemoveMachineKey", keyId: "k1" }).thenThrows(Errors.User.KeyNotFound);
    spec
      .given([machineAdded(), keyAdded(), { type: "user.machine.key.removed", payload: { keyId: "k1" } }])
      .when({ type: "RemoveMachineKey", keyId: "k1" })
      .thenThrows(Errors.User.KeyNotFound);
  });
});

describe("RemovePersonalAccessToken", () => {
  it("removes a token the user has, once", () => {
    spec
      .given([machineAdded(), patAdded()])
      .when({ type: "RemovePersonalAccessToken", tokenId: "t1" })
      .then([{ type: "user.pat.removed", payload: { tokenId: "t1" } }]);
    spec
      .given([machineAdded(), patAdded(), { type: "user.pat.removed", payload: { tokenId: "t1" } }])
      .when({ type: "RemovePersonalAccessToken", tokenId: "t1" })
      .thenThrows(Errors.User.PatNotFound);
  });
});

describe("machine secrets", () => {
  it("sets a secret on a machine user, replacing any earlier one", () => {
    spec.given([machineAdded()]).when({ type: "SetMachineSecret", hashedSecret: "h" }).then([secretSet()]);
    spec.given([machineAdded(), secretSet()]).when({ type: "SetMachineSecret", hashedSecret: "h" }).then([secretSet()]);
  });
  it("treats a human or missing user as not existing", () => {
    spec.given([humanAdded()]).when({ type: "SetMachineSecret", hashedSecret: "h" }).thenThrows(Errors.User.SecretUserNotExisting);
    spec.given([]).when({ type: "RemoveMachineSecret" }).thenThrows(Errors.User.RemoveSecretUserNotExisting);
  });
  it("removes a secret only when there is one", () => {
    spec
      .given([machineAdded(), secretSet()])
      .when({ type: "RemoveMachineSecret" })
      .then([{ type: "user.machine.secret.removed", payload: null }]);
    spec.given([machineAdded()]).when({ type: "RemoveMachineSecret" }).thenThrows(Errors.User.SecretNotExisting);
  });
});

describe("credential state", () => {
  it("folds keys, tokens and the secret, and keeps them through state changes", () => {
    const state = [machineAdded(), keyAdded(), patAdded(), secretSet(), userLocked()].reduce(userDecider.evolve, userDecider.initialState);
    expect(state).toMatchObject({ status: "locked", credentials: { keyIds: ["k1"], tokenIds: ["t1"], hasSecret: true } });
  });
});
