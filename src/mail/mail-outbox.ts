import type { SecretBox } from "../auth/secret-box.js";
import { Errors, isZError } from "../errors.js";
import type { AppendCommand, EventStore, StreamId } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import type { Logger } from "../lib/logger.js";
import type { Metrics } from "../metrics/metrics.js";
import {
  MAIL_OUTBOX_TABLE,
  type MailClaimedPayload,
  type MailQueuedPayload,
  type MailSendFailedPayload,
  type UnlockLinkPayload,
} from "../projection/mail-projections.js";
import type { MailMessage, Mailer } from "./smtp-mailer.js";

export interface QueuedMail {
  readonly mailId: string;
  /** Append it (alone, or with other streams in one transaction); the mail is stored once it commits. */
  readonly append: AppendCommand;
}

export interface MailToQueue {
  readonly instanceId: string;
  /** The organisation the mail belongs to (its recipient's). */
  readonly owner: string;
  /** Who asked for it (the history's editor). */
  readonly creator: string;
  readonly message: MailMessage;
  /** Not sent after this time (ms). */
  readonly expiresAt?: number;
  readonly unlockLink?: UnlockLinkPayload;
}

export interface MailOutbox {
  /** The append that stores a mail; nothing is sent before it commits. */
  queue(mail: MailToQueue): QueuedMail;
  /** Sends the mails that are due now; resolves with how many the server accepted. */
  deliver(): Promise<number>;
  /** Asks for a delivery round soon (after a queue), beside the regular ones. */
  wake(): void;
  /** Delivers every `intervalMs` until `stop`; the timer does not keep the process alive. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export interface MailOutboxOptions {
  readonly store: EventStore;
  readonly box: SecretBox;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly logger: Logger;
  readonly metrics?: Metrics["mail"];
  /** The first retry waits this long, each further one twice as long. Default 5000. */
  readonly firstRetryMs?: number;
  /** The longest wait between retries. Default 300000 (5 min). */
  readonly maxRetryMs?: number;
  /** How long a claim keeps other instances off a mail (longer than a send may take). Default 60000. */
  readonly leaseMs?: number;
}

const MAIL = "mail";
const BATCH = 50;

/**
 * A durable outbox: a mail is an event stream of its own. `mail.queued`
 * stores it (sealed), `mail.claimed` takes it for a lease, then `mail.sent`
 * or `mail.send.failed` (with the next try) ends the attempt. Each append
 * expects the stream's sequence, so of several instances exactly one claims
 * a mail; one that crashed mid-send leaves it to the next after the lease.
 */
export function createMailOutbox(options: MailOutboxOptions): MailOutbox {
  const { store, box, mailer, clock, newId, logger } = options;
  const firstRetryMs = options.firstRetryMs ?? 5000;
  const maxRetryMs = options.maxRetryMs ?? 300_000;
  const leaseMs = options.leaseMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;

  const streamOf = (instanceId: string, mailId: string): StreamId => ({ instanceId, aggregateType: MAIL, aggregateId: mailId });

  /** Appends the next event of a mail; false when another instance changed it first. */
  async function next(instanceId: string, mailId: string, expectedSequence: number, type: string, payload: unknown): Promise<number | undefined> {
    try {
      const [recorded = []] = await store.append([
        { stream: streamOf(instanceId, mailId), owner: instanceId, expectedSequence, events: [{ type, payload, creator: "SYSTEM" }] },
      ]);
      return recorded[recorded.length - 1]?.sequence;
    } catch (error) {
      if (isZError(error) && error.entry === Errors.ConcurrentModification) return undefined;
      throw error;
    }
  }

  const retryDelay = (attempt: number) => Math.min(firstRetryMs * 2 ** Math.min(attempt - 1, 30), maxRetryMs);

  async function deliverOne(row: OutboxRow): Promise<boolean> {
    const now = clock().getTime();
    const sequence = Number(row.sequence);
    if (row.expires_at !== null && Number(row.expires_at) <= now) {
      if ((await next(row.instance_id, row.mail_id, sequence, "mail.abandoned", { reason: "expired", attempts: Number(row.attempts) })) !== undefined) {
        options.metrics?.abandoned.inc();
        logger.warn("a mail expired before it could be sent; given up", { mailId: row.mail_id, attempts: Number(row.attempts) });
      }
      return false;
    }
    const claim: MailClaimedPayload = { leaseUntil: new Date(now + leaseMs).toISOString() };
    const claimed = await next(row.instance_id, row.mail_id, sequence, "mail.claimed", claim);
    if (claimed === undefined) return false;
    try {
      await mailer.send(JSON.parse(box.open(row.sealed)) as MailMessage);
    } catch (error) {
      const attempt = Number(row.attempts) + 1;
      const retryAt = new Date(clock().getTime() + retryDelay(attempt)).toISOString();
      options.metrics?.sendFailures.inc();
      // The code and the server's answer, never the message's recipient or text.
      const reason = describe(error);
      logger.warn("sending a mail failed; it stays in the outbox and is tried again", { mailId: row.mail_id, attempt, retryAt, error: reason });
      const failed: MailSendFailedPayload = { attempt, retryAt, error: reason };
      await next(row.instance_id, row.mail_id, claimed, "mail.send.failed", failed);
      return false;
    }
    options.metrics?.sent.inc();
    logger.info("mail sent", { mailId: row.mail_id });
    await next(row.instance_id, row.mail_id, claimed, "mail.sent", null);
    return true;
  }

  async function deliverDue(): Promise<number> {
    const due = await store.query<OutboxRow>(
      `SELECT instance_id, mail_id, sealed, attempts, expires_at, sequence FROM ${MAIL_OUTBOX_TABLE} WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`,
      [clock().getTime(), BATCH],
    );
    let sent = 0;
    for (const row of due) if (await deliverOne(row)) sent++;
    return sent;
  }

  /** One round at a time per process; a call during a round runs one more after it. */
  function deliver(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let sent = 0;
      do {
        again = false;
        sent += await deliverDue();
      } while (again);
      return sent;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  const roundLogged = () =>
    deliver().catch((error: unknown) => {
      logger.warn("delivering mails failed; trying again later", { error: String(error) });
      return 0;
    });

  return {
    queue(mail) {
      const mailId = newId();
      const payload: MailQueuedPayload = {
        sealed: box.seal(JSON.stringify(mail.message)),
        expiresAt: mail.expiresAt === undefined ? undefined : new Date(mail.expiresAt).toISOString(),
        unlockLink: mail.unlockLink,
      };
      return {
        mailId,
        append: {
          stream: streamOf(mail.instanceId, mailId),
          owner: mail.owner,
          expectedSequence: 0,
          events: [{ type: "mail.queued", payload, creator: mail.creator }],
        },
      };
    },
    deliver,
    wake() {
      if (!stopped) void roundLogged();
    },
    start(intervalMs) {
      stopped = false;
      const tick = () => {
        void roundLogged().finally(() => {
          if (!stopped) timer = setTimeout(tick, intervalMs).unref();
        });
      };
      timer = setTimeout(tick, 0).unref();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      mailer.close();
    },
  };
}

interface OutboxRow {
  instance_id: string;
  mail_id: string;
  sealed: string;
  attempts: number | string;
  expires_at: number | string | null;
  sequence: number | string;
}

function describe(error: unknown): string {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const parts = [typeof e.code === "string" ? e.code : ((error as Error)?.name ?? "Error")];
  if (typeof e.responseCode === "number") parts.push(String(e.responseCode));
  if (typeof e.message === "string") parts.push(e.message.slice(0, 200));
  return parts.join(" ");
}
