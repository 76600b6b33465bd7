import type { HumanAddedPayload, UserEvent } from "../../src/domain/user/events.js";

export const human: HumanAddedPayload = {
  userName: "ada",
  firstName: "Ada",
  lastName: "Lovelace",
  email: "ada@example.com",
  encodedHash: "$scrypt$ln=15,r=8,p=1$c2FsdA==$aGFzaA==",
};

export const humanAdded = (payload: Partial<HumanAddedPayload> = {}): UserEvent => ({
  type: "user.human.added",
  payload: { ...human, ...payload },
});
export const machineAdded = (): UserEvent => ({ type: "user.machine.added", payload: { userName: "robot", name: "Robot" } });
export const initCodeAdded = (): UserEvent => ({ type: "user.human.initialization.code.added", payload: null });
export const userLocked = (): UserEvent => ({ type: "user.locked", payload: null });
export const userUnlocked = (): UserEvent => ({ type: "user.unlocked", payload: null });
export const patAdded = (): UserEvent => ({
  type: "user.pat.added",
  payload: { tokenId: "t1", expiration: "9999-12-31T23:59:59Z", scopes: ["openid"], tokenHash: "h" },
});
