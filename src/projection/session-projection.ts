import type { RecordedEvent } from "../eventstore/event-store.js";
import type {
  CheckedAtPayload,
  LifetimeSetPayload,
  MetadataSetPayload,
  SessionAddedPayload,
  TokenSetPayload,
  UserCheckedPayload,
} from "../domain/session/events.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";
import { creationColumns, touch } from "./tables.js";

export const SESSIONS_TABLE = "sessions1";

/**
 * The sessions read model: one row per active session. A terminated
 * session's row is deleted (GetSession then answers NOT_FOUND, as ZITADEL
 * does), and so are the sessions of a removed user; a password change clears
 * the password checks of the user's sessions. Times are epoch
 * milliseconds; metadata and user-agent headers are JSON.
 */
export const sessionProjection: Projection = {
  name: "sessions",
  aggregates: ["session"],
  events: ["user.removed", "user.human.password.changed"],
  tables: [SESSIONS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${SESSIONS_TABLE} (
      instance_id TEXT NOT NULL,
      id TEXT NOT NULL,
      resource_owner TEXT NOT NULL,
      creator TEXT NOT NULL,
      user_id TEXT,
      user_resource_owner TEXT,
      user_checked_at BIGINT,
      password_checked_at BIGINT,
      metadata TEXT NOT NULL,
      token_id TEXT,
      token_hash TEXT,
      user_agent_fingerprint_id TEXT,
      user_agent_ip TEXT,
      user_agent_description TEXT,
      user_agent_header TEXT,
      expiration BIGINT,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, id)
    )`,
    `CREATE INDEX IF NOT EXISTS ${SESSIONS_TABLE}_user ON ${SESSIONS_TABLE} (instance_id, user_id)`,
    `CREATE INDEX IF NOT EXISTS ${SESSIONS_TABLE}_created ON ${SESSIONS_TABLE} (instance_id, creation_date, id)`,
  ],
  apply(event: RecordedEvent): Statement[] {
    const ofUser = { instance_id: event.instanceId, user_id: event.aggregateId };
    if (event.type === "user.removed") return [{ kind: "delete", table: SESSIONS_TABLE, key: ofUser }];
    // A new password voids every earlier password check of the user's sessions.
    if (event.type === "user.human.password.changed") return [{ kind: "update", table: SESSIONS_TABLE, key: ofUser, values: { password_checked_at: null } }];
    const key = { instance_id: event.instanceId, id: event.aggregateId };
    switch (event.type) {
      case "session.added": {
        const agent = (event.payload as SessionAddedPayload | null)?.userAgent;
        const values = {
          resource_owner: event.owner,
          creator: event.creator,
          metadata: "{}",
          user_agent_fingerprint_id: agent?.fingerprintID ?? null,
          user_agent_ip: agent?.ip ?? null,
          user_agent_description: agent?.description ?? null,
          user_agent_header: agent?.header ? JSON.stringify(agent.header) : null,
          ...creationColumns(event),
        };
        return [{ kind: "upsert", table: SESSIONS_TABLE, key, values }];
      }
      case "session.user.checked": {
        const p = event.payload as UserCheckedPayload;
        return [touch(SESSIONS_TABLE, key, event, { user_id: p.userID, user_resource_owner: p.userResourceOwner, user_checked_at: Date.parse(p.checkedAt) })];
      }
      case "session.password.checked":
        return [touch(SESSIONS_TABLE, key, event, { password_checked_at: Date.parse((event.payload as CheckedAtPayload).checkedAt) })];
      case "session.metadata.set":
        return [touch(SESSIONS_TABLE, key, event, { metadata: JSON.stringify((event.payload as MetadataSetPayload).metadata) })];
      case "session.lifetime.set": {
        // Nanoseconds from the event's time.
        const lifetimeMs = Math.floor((event.payload as LifetimeSetPayload).lifetime / 1e6);
        return [touch(SESSIONS_TABLE, key, event, { expiration: event.createdAt.getTime() + lifetimeMs })];
      }
      case "session.token.set": {
        // The hash lets GetSession check a token; the token itself is never stored.
        const p = event.payload as TokenSetPayload;
        return [touch(SESSIONS_TABLE, key, event, { token_id: p.tokenID, token_hash: p.tokenHash })];
      }
      case "session.terminated":
        return [{ kind: "delete", table: SESSIONS_TABLE, key }];
      default:
        return [];
    }
  },
};
