import { describe, expect, it } from "vitest";
import { evolve } from "../../../src/domain/user/evolve.js";
import { initialUserState } from "../../../src/domain/user/state.js";
import type { UserEvent } from "../../../src/domain/user/events.js";
import { humanAdded, initCodeAdded, machineAdded, userLocked, userUnlocked } from "../../support/user-fixtures.js";

const fold = (events: UserEvent[]) => events.reduce(evolve, initialUserState);

describe("evolve", () => {
  it("starts unspecified", () => expect(fold([]).status).toBe("unspecified"));
  it("makes an added human active and keeps its hash", () => {
    expect(fold([humanAdded()])).toMatchObject({ status: "active", kind: "human", userName: "ada" });
  });
  it("makes an added machine active", () => expect(fold([machineAdded()])).toMatchObject({ status: "active", kind: "machine" }));
  it("follows init, lock and unlock", () => {
    expect(fold([humanAdded(), initCodeAdded()]).status).toBe("initial");
    expect(fold([humanAdded(), userLocked()]).status).toBe("locked");
    expect(fold([humanAdded(), userLocked(), userUnlocked()]).status).toBe("active");
  });
  it("ignores events it does not know", () => {
    const state = fold([humanAdded()]);
    expect(evolve(state, { type: "user.something.new", payload: {} } as unknown as UserEvent)).toBe(state);
  });
});
