import type { CredentialCommand } from "./credentials.js";
import type { HumanAddedPayload, MachineAddedPayload, PatAddedPayload } from "./events.js";
import type { LockoutCommand } from "./lockout.js";
import type { ApiVersion, TransitionCommand } from "./transitions.js";

/** Commands on one user. Ids, hashes and times are made before `decide` runs. */
export type UserCommand =
  | {
      type: "AddHuman";
      human: HumanAddedPayload;
      emailVerified: boolean;
      phoneVerified: boolean;
      /** v2 never adds an initialisation code; v1 does without a verified email or a password. */
      api?: ApiVersion;
    }
  | { type: "AddMachine"; machine: MachineAddedPayload }
  | { type: "Lock"; api?: ApiVersion }
  | { type: "Unlock"; api?: ApiVersion }
  | { type: "Deactivate"; api?: ApiVersion }
  | { type: "Reactivate"; api?: ApiVersion }
  | { type: "AddPersonalAccessToken"; token: PatAddedPayload }
  | CredentialCommand
  | TransitionCommand
  | LockoutCommand;
