import { randomBytes, timingSafeEqual } from "node:crypto";
import type { NodeRequest } from "../server/node-http.js";

/**
 * Where a person is in the sign-in, kept in one HttpOnly cookie scoped to the
 * login pages. Nothing in it grants anything by itself: the session token is
 * what the provider checks, and the login name is only a name to try.
 */
export interface LoginState {
  /** The form token every POST must echo (double submit: the cookie and the form must agree). */
  readonly csrf: string;
  readonly authRequestId?: string;
  readonly loginName?: string;
  /** The checked session, once the password was right. */
  readonly session?: { readonly sessionId: string; readonly sessionToken: string; readonly userId: string };
  /** The user must choose a new password before the sign-in goes on. */
  readonly mustChangePassword?: boolean;
  /** Signed in: where the success page sends the browser (absent without an application). */
  readonly done?: { readonly redirectTo?: string };
}

export const LOGIN_PATH = "/ui/login";

export interface LoginCookie {
  read(req: NodeRequest): LoginState | undefined;
  /** The Set-Cookie value that stores `state`. */
  write(state: LoginState): string;
  /** The Set-Cookie value that removes the cookie. */
  clear(): string;
}

/**
 * The cookie is Secure when the pages are served over TLS; it then carries
 * the __Secure- prefix (__Host- would need Path=/, and the cookie belongs to
 * the login pages only).
 */
export function createLoginCookie(options: { readonly secure: boolean }): LoginCookie {
  const name = options.secure ? "__Secure-latchkey-login" : "latchkey-login";
  const attributes = `Path=${LOGIN_PATH}; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}`;
  return {
    read(req) {
      const raw = cookieValue(req.headers.cookie, name);
      return raw === undefined ? undefined : parseState(raw);
    },
    write: (state) => `${name}=${Buffer.from(JSON.stringify(state)).toString("base64url")}; ${attributes}`,
    clear: () => `${name}=; ${attributes}; Max-Age=0`,
  };
}

export function newCsrfToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether the form's token is the cookie's (constant time). */
export function csrfMatches(state: LoginState | undefined, formToken: string | undefined): boolean {
  if (!state || !formToken) return false;
  const expected = Buffer.from(state.csrf);
  const given = Buffer.from(formToken);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

const MAX_TEXT = 1024;
const MAX_URL = 4096;
const text = (value: unknown, max = MAX_TEXT): value is string => typeof value === "string" && value.length > 0 && value.length <= max;

/** A cookie that does not parse into a complete state counts as none. */
function parseState(raw: string): LoginState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!text(v.csrf)) return undefined;
  const session = v.session as Record<string, unknown> | undefined;
  const validSession =
    session !== undefined && typeof session === "object" && session !== null && text(session.sessionId) && text(session.sessionToken) && text(session.userId);
  return {
    csrf: v.csrf,
    authRequestId: text(v.authRequestId) ? v.authRequestId : undefined,
    loginName: text(v.loginName) ? v.loginName : undefined,
    session: validSession
      ? { sessionId: session.sessionId as string, sessionToken: session.sessionToken as string, userId: session.userId as string }
      : undefined,
    mustChangePassword: v.mustChangePassword === true ? true : undefined,
    done: parseDone(v.done),
  };
}

function parseDone(value: unknown): LoginState["done"] {
  if (typeof value !== "object" || value === null) return undefined;
  const { redirectTo } = value as Record<string, unknown>;
  return text(redirectTo, MAX_URL) ? { redirectTo } : {};
}
