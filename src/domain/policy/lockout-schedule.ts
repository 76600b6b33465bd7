/**
 * How long a lock lasts and what counts towards it, beside ZITADEL's
 * lockout policy (which only says after how many failures). The instance
 * default comes from the configuration; an organisation may override it.
 *
 * - `firstLockSeconds`: the first lock lasts this long; 0 keeps locks
 *   permanent (until an administrator unlocks), ZITADEL's behaviour.
 * - Each further lock that starts within `escalationWindowSeconds` after the
 *   previous temporary lock ended lasts twice as long, up to `maxLockSeconds`.
 * - After `maxTemporaryLocks` such locks the next one is permanent (0: never).
 * - `mode`: "account" counts every failure against the account (ZITADEL);
 *   "account_and_address" counts per client address: `maxPasswordAttempts`
 *   failures from one address block that address for the account (for as long
 *   as a first lock would last), and `globalMaxPasswordAttempts` failures from
 *   all addresses together lock the account (0: never).
 * - `tarpitFirstDelayMs` / `tarpitMaxDelayMs`: a failed check after earlier
 *   failures is answered late, doubling per failure up to the maximum.
 * - `selfServiceUnlock`: a locked user may unlock itself by an emailed link.
 * - `showLockEnd`: the hosted login's locked page says when a temporary lock
 *   (or address block) ends.
 */
export interface LockoutSchedule {
  readonly firstLockSeconds: number;
  readonly maxLockSeconds: number;
  readonly escalationWindowSeconds: number;
  readonly maxTemporaryLocks: number;
  readonly mode: LockoutMode;
  readonly globalMaxPasswordAttempts: number;
  readonly tarpitFirstDelayMs: number;
  readonly tarpitMaxDelayMs: number;
  readonly selfServiceUnlock: boolean;
  readonly showLockEnd: boolean;
}

export type LockoutMode = "account" | "account_and_address";

/** Permanent locks, account counting, no tarpit: today's behaviour. */
export const defaultLockoutSchedule: LockoutSchedule = Object.freeze({
  firstLockSeconds: 0,
  maxLockSeconds: 0,
  escalationWindowSeconds: 0,
  maxTemporaryLocks: 0,
  mode: "account",
  globalMaxPasswordAttempts: 0,
  tarpitFirstDelayMs: 0,
  tarpitMaxDelayMs: 0,
  selfServiceUnlock: false,
  showLockEnd: false,
});

/** Upper bounds, so that doubling stays an integer number of milliseconds and a tarpit stays within a call. */
export const scheduleLimits = Object.freeze({
  lockSeconds: 366 * 24 * 3600,
  temporaryLocks: 100,
  globalMaxPasswordAttempts: 1_000_000,
  tarpitDelayMs: 10_000,
});

/** The problems of a schedule, one line each; empty when it is valid. */
export function scheduleProblems(schedule: LockoutSchedule): string[] {
  const problems: string[] = [];
  const whole = (name: keyof LockoutSchedule, value: number, max: number) => {
    if (!Number.isInteger(value) || value < 0 || value > max) problems.push(`${name} must be a whole number from 0 to ${max}`);
  };
  whole("firstLockSeconds", schedule.firstLockSeconds, scheduleLimits.lockSeconds);
  whole("maxLockSeconds", schedule.maxLockSeconds, scheduleLimits.lockSeconds);
  whole("escalationWindowSeconds", schedule.escalationWindowSeconds, scheduleLimits.lockSeconds);
  whole("maxTemporaryLocks", schedule.maxTemporaryLocks, scheduleLimits.temporaryLocks);
  whole("globalMaxPasswordAttempts", schedule.globalMaxPasswordAttempts, scheduleLimits.globalMaxPasswordAttempts);
  whole("tarpitFirstDelayMs", schedule.tarpitFirstDelayMs, scheduleLimits.tarpitDelayMs);
  whole("tarpitMaxDelayMs", schedule.tarpitMaxDelayMs, scheduleLimits.tarpitDelayMs);
  if (schedule.maxLockSeconds !== 0 && schedule.maxLockSeconds < schedule.firstLockSeconds)
    problems.push("maxLockSeconds must be 0 or at least firstLockSeconds");
  if (schedule.tarpitMaxDelayMs !== 0 && schedule.tarpitMaxDelayMs < schedule.tarpitFirstDelayMs) {
    problems.push("tarpitMaxDelayMs must be 0 or at least tarpitFirstDelayMs");
  }
  if (schedule.mode !== "account" && schedule.mode !== "account_and_address") problems.push("mode must be account or account_and_address");
  return problems;
}

/**
 * How long the next lock lasts, in milliseconds, given how many temporary
 * locks came shortly before it; undefined means permanent.
 */
export function nextLockDurationMs(schedule: LockoutSchedule, recentTemporaryLocks: number): number | undefined {
  if (schedule.firstLockSeconds === 0) return undefined;
  if (schedule.maxTemporaryLocks > 0 && recentTemporaryLocks >= schedule.maxTemporaryLocks) return undefined;
  const max = Math.max(schedule.maxLockSeconds, schedule.firstLockSeconds);
  // 2^40 seconds exceeds every allowed maximum: no need to go further.
  const doubled = schedule.firstLockSeconds * 2 ** Math.min(recentTemporaryLocks, 40);
  return Math.min(doubled, max) * 1000;
}

/** The tarpit's delay for a failure that follows `earlierFailures` others; 0 for the first. */
export function tarpitDelayMs(schedule: LockoutSchedule, earlierFailures: number): number {
  if (schedule.tarpitFirstDelayMs === 0 || earlierFailures <= 0) return 0;
  const max = Math.max(schedule.tarpitMaxDelayMs, schedule.tarpitFirstDelayMs);
  return Math.min(schedule.tarpitFirstDelayMs * 2 ** Math.min(earlierFailures - 1, 20), max);
}
