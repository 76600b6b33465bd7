import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { Logger } from "../lib/logger.js";
import { LOCK_ENDS_TABLE } from "../projection/sign-in-projection.js";
import type { CallWrites } from "./call-writes.js";
import { system } from "./aggregate.js";
import type { UserAggregate } from "./user-aggregate.js";

/** The editor of the events the server writes by itself. */
export const SYSTEM_EDITOR = "SYSTEM";

/**
 * Other instances may end the same lock at the same moment: the append
 * carries the expected sequence, the loser loads again and finds nothing to do.
 */
const MAX_RETRIES = 50;

/**
 * Writes `user.unlocked` (reason "expired", editor SYSTEM) when the user's
 * temporary lock has ended at `now`; nothing when it has not, or when
 * someone else already wrote the unlock. Safe to call from every instance.
 */
export async function expireLock(users: UserAggregate, instanceId: string, userId: string, now: number, writes?: CallWrites): Promise<boolean> {
  const result = await users.execute({ instanceId, orgId: instanceId, userId: SYSTEM_EDITOR, writes }, userId, { type: "ExpireLock", now }, system, {
    maxRetries: MAX_RETRIES,
  });
  return result.events.length > 0;
}

export interface LockExpirySweeper {
  /** Ends every lock that is due now; returns how many unlocks this call wrote. */
  sweep(): Promise<number>;
  /** Sweeps every `intervalMs` until `stop`; the timer does not keep the process alive. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/** Locks ended per round; a busy instance ends the rest in the next. */
const BATCH = 500;

/**
 * Writes the unlocks of temporary locks that have ended. Readers do not wait
 * for it (they compare the lock's end with the clock); it makes the log say
 * so. Every instance may run one: they race on the same users and
 * optimistic concurrency lets exactly one unlock through.
 */
export function createLockExpirySweeper(deps: { store: EventStore; users: UserAggregate; clock: Clock; logger: Logger }): LockExpirySweeper {
  const { store, users, clock, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function sweep(): Promise<number> {
    const now = clock().getTime();
    const due = await store.query<{ instance_id: string; user_id: string }>(
      `SELECT instance_id, user_id FROM ${LOCK_ENDS_TABLE} WHERE locked_until <= ? ORDER BY locked_until LIMIT ?`,
      [now, BATCH],
    );
    let unlocked = 0;
    for (const row of due) {
      if (await expireLock(users, row.instance_id, row.user_id, now)) unlocked++;
    }
    if (unlocked > 0) logger.info("temporary locks ended", { unlocked });
    return unlocked;
  }

  return {
    sweep,
    start(intervalMs) {
      const tick = () => {
        running = sweep()
          .catch((error) => logger.warn("ending temporary locks failed; trying again later", { error: String(error) }))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs).unref();
          });
      };
      timer = setTimeout(tick, 0).unref();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
