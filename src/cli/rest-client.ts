import { readFileSync } from "node:fs";
import type { Config } from "../config.js";
import { UsageError } from "./args.js";

export interface RestClientOptions {
  readonly token?: string;
  readonly url?: string;
  /** Acts in this organisation (x-zitadel-orgid) instead of the caller's own. */
  readonly orgId?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type RestCall = (method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** Calls the server's REST API with a token, like any client; an error answer becomes an Error with the server's message. */
export function restClient(config: Config, options: RestClientOptions): RestCall {
  const base = (options.url ?? options.env.LATCHKEY_URL ?? config.externalUrl).replace(/\/+$/, "");
  const token = options.token ?? options.env.LATCHKEY_TOKEN ?? readPat(config.firstInstancePatPath);
  return async (method, path, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    if (options.orgId) headers["x-zitadel-orgid"] = options.orgId;
    let response: Response;
    try {
      response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new Error(`cannot reach the server at ${base} (${(error as Error).cause ?? (error as Error).message}); start it, pass --url, or use --local`);
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      if (response.status === 404 && json.message === "Not Found") throw new Error(`the server at ${base} does not offer ${path}`);
      throw new Error(`the server answered ${response.status}: ${json.message ?? response.statusText}`);
    }
    return json;
  };
}

function readPat(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    throw new UsageError(`no token: pass --token, set LATCHKEY_TOKEN, or make the admin token file ${path} readable`);
  }
}
