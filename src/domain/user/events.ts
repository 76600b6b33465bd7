import type { CredentialEvent } from "./credentials.js";
import type { LockoutEvent } from "./lockout.js";
import type { TransitionEvent } from "./transitions.js";

/**
 * Events of the user aggregate. Type strings and payload field names are
 * ZITADEL's, so an event log can be compared with (or imported from) ZITADEL's.
 */

export const USER_AGGREGATE = "user";

export interface HumanAddedPayload {
  userName: string;
  firstName: string;
  lastName: string;
  nickName?: string;
  displayName?: string;
  preferredLanguage?: string;
  gender?: number;
  email: string;
  phone?: string;
  /** Password hash in PHC/modular crypt format; never the password itself. */
  encodedHash?: string;
  changeRequired?: boolean;
}

export interface MachineAddedPayload {
  userName: string;
  name: string;
  description?: string;
  accessTokenType?: number;
}

export interface PatAddedPayload {
  tokenId: string;
  expiration: string;
  scopes: string[];
  /** SHA-256 of the token, so the token can be found without storing it. */
  tokenHash: string;
}

/** ZITADEL's `user.locked` has no payload; a temporary lock carries its end. */
export interface LockedPayload {
  lockedUntil?: string;
}

/** ZITADEL's `user.unlocked` has no payload; an unlock not made by an administrator says why. */
export interface UnlockedPayload {
  reason?: UnlockReason;
  /** The unlock link (its mail's id) a self-service unlock used. */
  link?: string;
}

export type UnlockReason = "expired" | "self-service";

export type UserEvent =
  | { type: "user.human.added"; payload: HumanAddedPayload }
  | { type: "user.machine.added"; payload: MachineAddedPayload }
  | { type: "user.human.email.verified"; payload: null }
  | { type: "user.human.phone.verified"; payload: null }
  | { type: "user.human.initialization.code.added"; payload: null }
  | { type: "user.locked"; payload: LockedPayload | null }
  | { type: "user.unlocked"; payload: UnlockedPayload | null }
  | { type: "user.deactivated"; payload: null }
  | { type: "user.reactivated"; payload: null }
  | { type: "user.pat.added"; payload: PatAddedPayload }
  | CredentialEvent
  | TransitionEvent
  | LockoutEvent;

export type UserEventType = UserEvent["type"];
