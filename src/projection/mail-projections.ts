import type { RecordedEvent } from "../eventstore/event-store.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";

/**
 * The mail outbox: one row per mail not yet sent (nor given up), with when
 * it may next be tried. A claim, a failure and the end of a mail are events
 * of the mail's own stream, so the row's sequence is what the next append
 * of any instance must expect.
 */
export const MAIL_OUTBOX_TABLE = "mail_outbox1";

/** Unlock links by the hash of their token (the token itself is only in the sealed mail). */
export const UNLOCK_LINKS_TABLE = "unlock_links1";

export interface MailQueuedPayload {
  /** The message (recipient, subject, text) sealed with the master key. */
  sealed: string;
  /** Not worth sending after this (ISO 8601), e.g. when the link in it has expired. */
  expiresAt?: string;
  /** Present when the mail carries an unlock link. */
  unlockLink?: UnlockLinkPayload;
}

export interface UnlockLinkPayload {
  userId: string;
  /** SHA-256 of the token, base64url. */
  tokenHash: string;
  /** The lock the link ends: the user's lock count when it was made. */
  lockCount: number;
}

export interface MailClaimedPayload {
  /** Until then no other instance takes the mail. */
  leaseUntil: string;
}

export interface MailSendFailedPayload {
  attempt: number;
  retryAt: string;
  /** What went wrong, without secrets: an error code or class. */
  error: string;
}

export const MAIL_EVENTS = ["mail.queued", "mail.claimed", "mail.send.failed", "mail.sent", "mail.abandoned"] as const;

export const mailOutboxProjection: Projection = {
  name: "mail_outbox",
  aggregates: ["mail"],
  tables: [MAIL_OUTBOX_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${MAIL_OUTBOX_TABLE} (
      instance_id TEXT NOT NULL,
      mail_id TEXT NOT NULL,
      sealed TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_attempt_at BIGINT NOT NULL,
      expires_at BIGINT,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, mail_id)
    )`,
    `CREATE INDEX IF NOT EXISTS ${MAIL_OUTBOX_TABLE}_due ON ${MAIL_OUTBOX_TABLE} (next_attempt_at)`,
  ],
  apply(event: RecordedEvent): Statement[] {
    const key = { instance_id: event.instanceId, mail_id: event.aggregateId };
    switch (event.type) {
      case "mail.queued": {
        const payload = event.payload as MailQueuedPayload;
        const expiresAt = payload.expiresAt ? Date.parse(payload.expiresAt) : null;
        const values = { sealed: payload.sealed, attempts: 0, next_attempt_at: event.createdAt.getTime(), expires_at: expiresAt, sequence: event.sequence };
        return [{ kind: "upsert", table: MAIL_OUTBOX_TABLE, key, values }];
      }
      case "mail.claimed": {
        const { leaseUntil } = event.payload as MailClaimedPayload;
        return [{ kind: "update", table: MAIL_OUTBOX_TABLE, key, values: { next_attempt_at: Date.parse(leaseUntil), sequence: event.sequence } }];
      }
      case "mail.send.failed": {
        const { attempt, retryAt } = event.payload as MailSendFailedPayload;
        return [
          { kind: "update", table: MAIL_OUTBOX_TABLE, key, values: { attempts: attempt, next_attempt_at: Date.parse(retryAt), sequence: event.sequence } },
        ];
      }
      case "mail.sent":
      case "mail.abandoned":
        return [{ kind: "delete", table: MAIL_OUTBOX_TABLE, key }];
      default:
        return [];
    }
  },
};

export const unlockLinkProjection: Projection = {
  name: "unlock_links",
  events: ["mail.queued", "user.unlocked"],
  tables: [UNLOCK_LINKS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${UNLOCK_LINKS_TABLE} (
      instance_id TEXT NOT NULL,
      token_hash TEXT NOT NULL,
      mail_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      lock_count INTEGER NOT NULL,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      used_at BIGINT,
      PRIMARY KEY (instance_id, token_hash)
    )`,
    `CREATE INDEX IF NOT EXISTS ${UNLOCK_LINKS_TABLE}_mail ON ${UNLOCK_LINKS_TABLE} (instance_id, mail_id)`,
    `CREATE INDEX IF NOT EXISTS ${UNLOCK_LINKS_TABLE}_user ON ${UNLOCK_LINKS_TABLE} (instance_id, user_id)`,
  ],
  apply(event: RecordedEvent): Statement[] {
    if (event.type === "mail.queued") {
      const payload = event.payload as MailQueuedPayload;
      const link = payload.unlockLink;
      if (!link || !payload.expiresAt) return [];
      const key = { instance_id: event.instanceId, token_hash: link.tokenHash };
      const values = {
        mail_id: event.aggregateId,
        user_id: link.userId,
        lock_count: link.lockCount,
        created_at: event.createdAt.getTime(),
        expires_at: Date.parse(payload.expiresAt),
        used_at: null,
      };
      return [{ kind: "upsert", table: UNLOCK_LINKS_TABLE, key, values }];
    }
    // The self-service unlock names the link it used.
    const link = (event.payload as { link?: unknown } | null)?.link;
    if (event.type !== "user.unlocked" || typeof link !== "string") return [];
    return [
      { kind: "update", table: UNLOCK_LINKS_TABLE, key: { instance_id: event.instanceId, mail_id: link }, values: { used_at: event.createdAt.getTime() } },
    ];
  },
};
