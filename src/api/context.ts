import { createContextKey } from "@connectrpc/connect";
import type { Principal } from "../auth/authenticator.js";
import type { CallWrites } from "../command/call-writes.js";

/** The authenticated caller and the organisation the call acts in. */
export interface Caller {
  readonly principal: Principal;
  readonly orgId: string;
}

export const kCaller = createContextKey<Caller | undefined>(undefined, { description: "authenticated caller" });

/** The call's writes, tracked for its deadline (set by the deadline interceptor). */
export const kCallWrites = createContextKey<CallWrites | undefined>(undefined, { description: "writes of the call" });
