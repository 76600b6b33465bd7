/** What the server tells the console about itself (ZITADEL's console reads the same keys). */
export interface Environment {
  /** Base URL of the gRPC-web API. */
  readonly api: string;
  /** The OpenID provider the console signs in with. */
  readonly issuer: string;
  /** The console's OIDC client id. */
  readonly clientid: string;
}

export const CONSOLE_BASE = "/ui/console";

export async function loadEnvironment(): Promise<Environment> {
  const response = await fetch(`${CONSOLE_BASE}/assets/environment.json`, { cache: "no-store" });
  if (!response.ok) throw new Error(`the console settings could not be read (HTTP ${response.status})`);
  const env = (await response.json()) as Partial<Environment>;
  if (!env.api || !env.issuer) throw new Error("the console settings name no API or issuer");
  if (!env.clientid) throw new Error("no console application is registered on this server yet; restart Latchkey to register it");
  return { api: env.api, issuer: env.issuer, clientid: env.clientid };
}
