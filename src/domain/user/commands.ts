import type { HumanAddedPayload, MachineAddedPayload, PatAddedPayload } from "./events.js";

/** Commands on one user. Ids, hashes and times are made before `decide` runs. */
export type UserCommand =
  | {
      type: "AddHuman";
      human: HumanAddedPayload;
      emailVerified: boolean;
      phoneVerified: boolean;
    }
  | { type: "AddMachine"; machine: MachineAddedPayload }
  | { type: "Lock" }
  | { type: "Unlock" }
  | { type: "Deactivate" }
  | { type: "Reactivate" }
  | { type: "AddPersonalAccessToken"; token: PatAddedPayload };
