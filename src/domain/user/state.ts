import type { CredentialState } from "./credentials.js";

/** What the user aggregate knows about itself, folded from its events. */
export type UserStatus = "unspecified" | "initial" | "active" | "inactive" | "locked" | "deleted";

export interface UserState {
  readonly status: UserStatus;
  readonly kind?: "human" | "machine";
  readonly userName?: string;
  readonly passwordHash?: string;
  /** Machine keys, personal access tokens and client secret (credentials.ts). */
  readonly credentials?: CredentialState;
  readonly passwordChangeRequired?: boolean;
  /** Failed password / OTP checks since the last success, password change or unlock (transitions.ts). */
  readonly failedPasswordAttempts?: number;
  readonly failedOtpAttempts?: number;
}

export const initialUserState: UserState = Object.freeze({ status: "unspecified" });

/** A user "exists" unless it was never added or has been removed. */
export function userExists(state: UserState): boolean {
  return state.status !== "unspecified" && state.status !== "deleted";
}
