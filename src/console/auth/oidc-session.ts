import { CONSOLE_BASE, type Environment } from "../environment.js";
import { randomText, s256Challenge } from "./pkce.js";

/** Who is signed in, from the ID token's claims (shown, never trusted for access). */
export interface SignedInUser {
  readonly id: string;
  readonly name: string;
}

export interface OidcSession {
  /** The current access token; undefined when signed out. Kept in memory only. */
  accessToken(): string | undefined;
  user(): SignedInUser | undefined;
  /** Sends the browser to the hosted login; `returnTo` is the console path to come back to. */
  signIn(returnTo: string): Promise<void>;
  /** Finishes a sign-in on the callback page; returns the path to go back to. */
  completeSignIn(callbackUrl: URL): Promise<string>;
  /** Ends the session at the provider and comes back to the signed-out page. */
  signOut(): Promise<void>;
  /** Called when the session ends by itself (a refresh failed). */
  onExpired(listener: () => void): void;
}

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly end_session_endpoint?: string;
}

interface TokenAnswer {
  readonly access_token: string;
  readonly expires_in?: number;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

/** The pending sign-in survives the trip to the login page; it holds no token and is removed on return. */
const PENDING_KEY = "latchkey.console.pending-sign-in";
const SCOPES = "openid profile email offline_access urn:zitadel:iam:org:project:id:zitadel:aud";
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Authorization code flow with PKCE (S256) as a public client. Tokens live
 * in this closure only: no localStorage, sessionStorage or cookie holds them,
 * so a reload signs in again (the login's own session makes that quick).
 */
export function createOidcSession(env: Environment): OidcSession {
  const redirectUri = `${location.origin}${CONSOLE_BASE}/auth/callback`;
  const signedOutUri = `${location.origin}${CONSOLE_BASE}/signedout`;
  let discovery: Promise<Discovery> | undefined;
  let tokens: { access: string; refresh?: string; idToken?: string; user?: SignedInUser } | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const expiredListeners: Array<() => void> = [];

  const discover = () => {
    discovery ??= fetch(`${env.issuer}/.well-known/openid-configuration`).then(async (response) => {
      if (!response.ok) throw new Error(`the sign-in service did not answer (HTTP ${response.status})`);
      return (await response.json()) as Discovery;
    });
    return discovery;
  };

  async function tokenRequest(form: Record<string, string>): Promise<TokenAnswer> {
    const { token_endpoint } = await discover();
    const response = await fetch(token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...form, client_id: env.clientid }),
    });
    const answer = (await response.json().catch(() => ({}))) as TokenAnswer & { error?: string; error_description?: string };
    if (!response.ok || !answer.access_token) {
      throw new Error(`sign-in failed: ${answer.error_description || answer.error || `HTTP ${response.status}`}`);
    }
    return answer;
  }

  function keep(answer: TokenAnswer) {
    const idToken = answer.id_token ?? tokens?.idToken;
    tokens = { access: answer.access_token, refresh: answer.refresh_token ?? tokens?.refresh, idToken, user: idToken ? userOf(idToken) : tokens?.user };
    clearTimeout(refreshTimer);
    if (answer.expires_in && tokens.refresh) {
      const delay = Math.max(answer.expires_in * 1000 - REFRESH_MARGIN_MS, 5_000);
      refreshTimer = setTimeout(refresh, delay);
    }
  }

  async function refresh() {
    const refreshToken = tokens?.refresh;
    if (!refreshToken) return;
    try {
      keep(await tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken }));
    } catch {
      tokens = undefined;
      for (const listener of expiredListeners) listener();
    }
  }

  return {
    accessToken: () => tokens?.access,
    user: () => tokens?.user,

    async signIn(returnTo) {
      const { authorization_endpoint } = await discover();
      const pending = { state: randomText(), nonce: randomText(), verifier: randomText(48), returnTo };
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
      const url = new URL(authorization_endpoint);
      url.search = new URLSearchParams({
        client_id: env.clientid,
        redirect_uri: redirectUri,
        response_type: "code",
        scope: SCOPES,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await s256Challenge(pending.verifier),
        code_challenge_method: "S256",
      }).toString();
      location.assign(url.toString());
    },

    async completeSignIn(callbackUrl) {
      const stored = sessionStorage.getItem(PENDING_KEY);
      sessionStorage.removeItem(PENDING_KEY);
      const error = callbackUrl.searchParams.get("error");
      if (error) throw new Error(`sign-in failed: ${callbackUrl.searchParams.get("error_description") || error}`);
      const pending = stored ? (JSON.parse(stored) as { state: string; verifier: string; returnTo: string }) : undefined;
      const code = callbackUrl.searchParams.get("code");
      if (!pending || !code || callbackUrl.searchParams.get("state") !== pending.state) {
        throw new Error("this sign-in answer does not belong to a sign-in started here; sign in again");
      }
      keep(await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: pending.verifier }));
      return pending.returnTo.startsWith(`${CONSOLE_BASE}/`) ? pending.returnTo : `${CONSOLE_BASE}/`;
    },

    async signOut() {
      const idToken = tokens?.idToken;
      tokens = undefined;
      clearTimeout(refreshTimer);
      const { end_session_endpoint } = await discover();
      if (!end_session_endpoint) {
        location.assign(signedOutUri);
        return;
      }
      const url = new URL(end_session_endpoint);
      const params = new URLSearchParams({ client_id: env.clientid, post_logout_redirect_uri: signedOutUri });
      if (idToken) params.set("id_token_hint", idToken);
      url.search = params.toString();
      location.assign(url.toString());
    },

    onExpired(listener) {
      expiredListeners.push(listener);
    },
  };
}

/** The display name and subject from an ID token's payload. */
function userOf(idToken: string): SignedInUser | undefined {
  try {
    const payload = idToken.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    const name = [claims.name, claims.preferred_username, claims.sub].find((value) => typeof value === "string" && value !== "");
    return { id: String(claims.sub ?? ""), name: String(name ?? "") };
  } catch {
    return undefined;
  }
}
