import { createContextKey } from "@connectrpc/connect";
import type { Principal } from "../auth/authenticator.js";
import type { CallWrites } from "../command/call-writes.js";

/** The four wires a call can arrive on. */
export type Wire = "grpc" | "grpc-web" | "connect" | "rest";

/** Set by the REST transcoder's own router, so its calls log as REST. */
export const kWire = createContextKey<Wire | undefined>(undefined, { description: "wire protocol" });

/** The authenticated caller and the organisation the call acts in. */
export interface Caller {
  readonly principal: Principal;
  readonly orgId: string;
}

export const kCaller = createContextKey<Caller | undefined>(undefined, { description: "authenticated caller" });

/** The wire of a call: marked by the REST path, otherwise read from the content type. */
export function wireOf(contextWire: Wire | undefined, contentType: string | null): Wire {
  if (contextWire) return contextWire;
  if (!contentType) return "connect";
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}

/** The call's writes, tracked for its deadline (set by the deadline interceptor). */
export const kCallWrites = createContextKey<CallWrites | undefined>(undefined, { description: "writes of the call" });
