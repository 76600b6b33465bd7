import { timingSafeEqual } from "node:crypto";
import { hashToken } from "../auth/tokens.js";
import type { EventStore } from "../eventstore/event-store.js";
import { MACHINE_SECRETS_TABLE } from "../projection/identity-projections.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import { findSubjectByUserName, type GrantSubject } from "./grant-subject.js";
import { OAuthError } from "./oauth-error.js";

/** Client id and secret from HTTP Basic (RFC 6749 §2.3.1) or, failing that, the form. */
export function clientCredentialsOf(authorization: string | undefined, form: URLSearchParams): { clientId: string; secret: string } | undefined {
  const basic = /^Basic (.+)$/i.exec(authorization ?? "");
  if (basic) {
    const decoded = Buffer.from(basic[1]!.trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const part = (value: string) => decodeURIComponent(value.replace(/\+/g, " "));
    try {
      return { clientId: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)) };
    } catch {
      return undefined;
    }
  }
  const clientId = form.get("client_id");
  const secret = form.get("client_secret");
  return clientId && secret ? { clientId, secret } : undefined;
}

const failed = () => new OAuthError("invalid_client", "client authentication failed");

/**
 * Authenticates a machine user by its client secret (`GenerateMachineSecret`).
 * Secrets are 256 random bits, so a SHA-256 hash protects them at rest;
 * the comparison takes the same time whether or not the user exists.
 */
export async function authenticateClient(
  credentials: { clientId: string; secret: string } | undefined,
  deps: { store: EventStore; instanceId: string },
): Promise<GrantSubject> {
  if (!credentials) throw failed();
  const rows = await deps.store.query<{ hashed_secret: string; user_id: string }>(
    `SELECT s.hashed_secret, s.user_id FROM ${MACHINE_SECRETS_TABLE} s
     JOIN ${USERS_TABLE} u ON u.instance_id = s.instance_id AND u.id = s.user_id
     WHERE s.instance_id = ? AND LOWER(u.username) = ?`,
    [deps.instanceId, credentials.clientId.toLowerCase()],
  );
  const expected = Buffer.from(rows[0]?.hashed_secret ?? hashToken("no secret"));
  const given = Buffer.from(hashToken(credentials.secret));
  if (!rows[0] || expected.length !== given.length || !timingSafeEqual(expected, given)) throw failed();
  const subject = await findSubjectByUserName(deps.store, deps.instanceId, credentials.clientId);
  if (!subject) throw failed();
  return subject;
}
