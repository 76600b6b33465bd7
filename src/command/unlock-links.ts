import { Errors, ZError } from "../errors.js";
import type { Actor } from "./actor.js";

export interface UnlockLinks {
  /** An administrator mails a locked user of its organisation an unlock link. */
  sendByAdministrator(actor: Actor, userId: string): Promise<void>;
}

/** Unlock links need a way to mail them; without SMTP there is none. */
export function createUnlockLinks(): UnlockLinks {
  return {
    async sendByAdministrator() {
      throw new ZError(Errors.UnlockLink.NotConfigured);
    },
  };
}
