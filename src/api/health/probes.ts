import { sendText, type EndpointHandler } from "../../server/http-endpoints.js";
import type { Readiness } from "./readiness.js";

/**
 * ZITADEL's plain HTTP probes. `/debug/healthz` answers `ok` while the process
 * runs (liveness); `/debug/ready` answers the JSON string "ok" when the store
 * is reachable and the server is not shutting down, and 412 otherwise.
 */
export function createProbeEndpoints(readiness: Readiness): Map<string, EndpointHandler> {
  return new Map<string, EndpointHandler>([
    ["/debug/healthz", (req, res) => sendText(req, res, 200, "text/plain; charset=utf-8", "ok")],
    [
      "/debug/ready",
      async (req, res) => {
        const reason = await readiness.check();
        if (reason === undefined) sendText(req, res, 200, "application/json", JSON.stringify("ok"));
        else sendText(req, res, 412, "application/json", JSON.stringify({ error: `not ready: ${reason}` }));
      },
    ],
  ]);
}
