import { createContextKey } from "@connectrpc/connect";

/** The four wires a call can arrive on. */
export type Wire = "grpc" | "grpc-web" | "connect" | "rest";

/** Set by the unary invoker for every call it runs; calls through connect's own router go without. */
export const kWire = createContextKey<Wire | undefined>(undefined, { description: "wire protocol" });

/** The wire of a call: as marked by the invoker, otherwise read from the content type. */
export function wireOf(contextWire: Wire | undefined, contentType: string | null): Wire {
  if (contextWire) return contextWire;
  if (!contentType) return "connect";
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}
