import { createHash, randomBytes } from "node:crypto";
import { lockExpiredAt, type UserState } from "../domain/user/state.js";
import { Errors, isZError, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import type { MailOutbox } from "../mail/mail-outbox.js";
import { UNLOCK_LINKS_TABLE } from "../projection/mail-projections.js";
import type { LockoutScheduleQueries } from "../query/lockout-schedule-queries.js";
import type { UserQueries, UserView } from "../query/user-queries.js";
import { findUserByLoginName } from "../query/user-search.js";
import type { ActingOnCheck } from "../auth/acting-on-check.js";
import type { Actor } from "./actor.js";
import { system } from "./aggregate.js";
import type { UserAggregate } from "./user-aggregate.js";

/** What a link is worth when opened or redeemed. */
export type UnlockLinkStatus =
  | "valid"
  /** No such link (mistyped, or never made). */
  | "invalid"
  | "used"
  | "expired"
  /** The lock it was made for has ended (an administrator unlocked, the lock expired) or a new lock replaced it. */
  | "superseded";

export interface UnlockLinks {
  /** Whether links can be mailed at all (a mail server is configured). */
  readonly enabled: boolean;
  /** How long a link works. */
  readonly lifetimeMs: number;
  /** Whether the locked page offers this login name a link: mail is configured and its organisation's schedule allows it. */
  offeredTo(instanceId: string, loginName: string): Promise<boolean>;
  /** An administrator mails a locked user of its organisation an unlock link (the schedule must allow self-service unlock). */
  sendByAdministrator(actor: Actor, userId: string): Promise<void>;
  /**
   * A person on the locked page asks for a link. Mails one only when the user
   * exists, is locked, has a verified email and its schedule allows it; says
   * nothing either way, so that nobody learns which it was.
   */
  requestBySelf(instanceId: string, loginName: string): Promise<void>;
  /** What the link with this token is worth now, without using it. */
  inspect(instanceId: string, token: string): Promise<UnlockLinkStatus>;
  /** Uses the link: unlocks its user ("unlocked") or says why not. */
  redeem(instanceId: string, token: string): Promise<UnlockLinkStatus | "unlocked">;
}

export interface UnlockLinksDependencies {
  readonly store: EventStore;
  readonly users: UserAggregate;
  /** An administrator may offer a link only to a user it may act on (as for UnlockUser). */
  readonly actingOn: ActingOnCheck;
  readonly userQueries: UserQueries;
  readonly schedules: LockoutScheduleQueries;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Without an outbox (no mail server) nothing is offered and the administrator's call is refused. */
  readonly outbox?: MailOutbox;
  /** The public base URL the links start with. */
  readonly externalUrl: string;
  /** How long a link works. */
  readonly lifetimeMs: number;
}

/** A person asking again within this time gets no second mail for the same lock. */
const RESEND_AFTER_MS = 60_000;

export const UNLOCK_PATH = "/ui/login/unlock";

/** The token's SHA-256: links are found by it, so the token is never compared byte by byte nor stored. */
export const tokenHashOf = (token: string) => createHash("sha256").update(token).digest("base64url");

interface LinkRow {
  user_id: string;
  mail_id: string;
  lock_count: number | string;
  expires_at: number | string;
  used_at: number | string | null;
}

/**
 * Unlock links: a 256-bit random token mailed through the outbox, bound to
 * the user's current lock (its lock count). The token is only in the sealed
 * mail; the read side keeps its hash. Redeeming writes `user.unlocked` with
 * reason "self-service" and the user as its editor.
 */
export function createUnlockLinks(deps: UnlockLinksDependencies): UnlockLinks {
  const { store, users, outbox, clock } = deps;

  const stillLocked = (state: UserState, now: number) => state.status === "locked" && !lockExpiredAt(state, now);

  async function mailLink(instanceId: string, user: UserView, state: UserState, creator: string): Promise<void> {
    if (!outbox || !user.human) return;
    const token = randomBytes(32).toString("base64url");
    const now = clock().getTime();
    const expiresAt = now + deps.lifetimeMs;
    const minutes = Math.round(deps.lifetimeMs / 60_000);
    const link = `${deps.externalUrl}${UNLOCK_PATH}?token=${token}`;
    const text = [
      `Hello ${user.human.displayName || user.userName},`,
      "",
      `your account "${user.userName}" is locked after too many failed sign-ins. To unlock it, open this link within ${minutes} minutes and confirm:`,
      "",
      link,
      "",
      "The link works once. If you did not ask for it, ignore this mail: the account stays locked.",
    ].join("\n");
    const queued = outbox.queue({
      instanceId,
      owner: user.resourceOwner,
      creator,
      message: { to: user.human.email, subject: "Unlock your account", text },
      expiresAt,
      unlockLink: { userId: user.id, tokenHash: tokenHashOf(token), lockCount: state.lockCount ?? 0 },
    });
    await store.append([queued.append]);
    outbox.wake();
  }

  async function inspectRow(instanceId: string, token: string): Promise<{ status: UnlockLinkStatus; row?: LinkRow; state?: UserState }> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { status: "invalid" };
    const [row] = await store.query<LinkRow>(
      `SELECT user_id, mail_id, lock_count, expires_at, used_at FROM ${UNLOCK_LINKS_TABLE} WHERE instance_id = ? AND token_hash = ?`,
      [instanceId, tokenHashOf(token)],
    );
    if (!row) return { status: "invalid" };
    if (row.used_at !== null) return { status: "used", row };
    const now = clock().getTime();
    if (Number(row.expires_at) <= now) return { status: "expired", row };
    const { state } = await users.load(instanceId, row.user_id);
    if (!stillLocked(state, now) || (state.lockCount ?? 0) !== Number(row.lock_count)) return { status: "superseded", row, state };
    return { status: "valid", row, state };
  }

  return {
    enabled: outbox !== undefined,
    lifetimeMs: deps.lifetimeMs,
    async offeredTo(instanceId, loginName) {
      if (!outbox) return false;
      const found = await findUserByLoginName(store, instanceId, loginName, clock().getTime());
      return found !== undefined && (await deps.schedules.scheduleFor(instanceId, found.resourceOwner)).schedule.selfServiceUnlock;
    },
    async sendByAdministrator(actor, userId) {
      if (!outbox) throw new ZError(Errors.UnlockLink.NotConfigured);
      const user = await deps.userQueries.findUser(actor.instanceId, userId);
      if (!user || user.resourceOwner !== actor.orgId || user.type !== "human") throw new ZError(Errors.UnlockLink.UserNotFound);
      await deps.actingOn.requireMayActOn(actor, userId);
      if (!(await deps.schedules.scheduleFor(actor.instanceId, user.resourceOwner)).schedule.selfServiceUnlock) throw new ZError(Errors.UnlockLink.NotAllowed);
      const { state } = await users.load(actor.instanceId, userId);
      if (!stillLocked(state, clock().getTime())) throw new ZError(Errors.UnlockLink.NotLocked);
      if (!user.human?.email || !user.human.emailVerified) throw new ZError(Errors.UnlockLink.NoVerifiedEmail);
      await mailLink(actor.instanceId, user, state, actor.userId);
    },
    async requestBySelf(instanceId, loginName) {
      if (!outbox) return;
      const found = await findUserByLoginName(store, instanceId, loginName, clock().getTime());
      if (found?.type !== "human" || !found.human?.email || !found.human.emailVerified) return;
      const { state } = await users.load(instanceId, found.id);
      const now = clock().getTime();
      if (!stillLocked(state, now)) return;
      if (!(await deps.schedules.scheduleFor(instanceId, found.resourceOwner)).schedule.selfServiceUnlock) return;
      // One mail per lock and minute: the page cannot be used to flood a mailbox.
      const [recent] = await store.query<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM ${UNLOCK_LINKS_TABLE} WHERE instance_id = ? AND user_id = ? AND lock_count = ? AND created_at > ?`,
        [instanceId, found.id, state.lockCount ?? 0, now - RESEND_AFTER_MS],
      );
      if (Number(recent?.n ?? 0) > 0) return;
      await mailLink(instanceId, found, state, found.id);
    },
    async inspect(instanceId, token) {
      return (await inspectRow(instanceId, token)).status;
    },
    async redeem(instanceId, token) {
      const { status, row, state } = await inspectRow(instanceId, token);
      if (status !== "valid" || !row || !state) return status;
      try {
        // The user is the editor: it unlocks itself.
        await users.execute(
          { instanceId, orgId: instanceId, userId: row.user_id },
          row.user_id,
          { type: "SelfServiceUnlock", lockCount: Number(row.lock_count), link: row.mail_id },
          system,
        );
      } catch (error) {
        // Another tab redeemed it, or the lock changed meanwhile: say what it is now.
        if (isZError(error) && error.entry === Errors.UnlockLink.Invalid) {
          const now = await inspectRow(instanceId, token);
          return now.status === "valid" ? "superseded" : now.status;
        }
        throw error;
      }
      deps.logger.info("a user unlocked itself with an unlock link", { userId: row.user_id });
      return "unlocked";
    },
  };
}
