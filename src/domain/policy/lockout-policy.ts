import { Errors, ZError } from "../../errors.js";
import type { Decider } from "../decider.js";
import { defaultLockoutSchedule, type LockoutSchedule } from "./lockout-schedule.js";

/**
 * The lockout policy: after how many failed password / OTP checks a user is
 * locked (0 never locks). An organisation may have a custom policy (events on
 * the org aggregate); otherwise the instance default applies (events on the
 * instance aggregate). Type strings and payload names are ZITADEL's.
 */

export interface LockoutPolicyValues {
  readonly maxPasswordAttempts: number;
  readonly maxOtpAttempts: number;
}

export interface LockoutPolicyAddedPayload {
  maxPasswordAttempts: number;
  maxOTPAttempts: number;
  showLockOutFailures: boolean;
}

/** Only the changed keys. */
export type LockoutPolicyChangedPayload = Partial<LockoutPolicyAddedPayload>;

export type LockoutPolicyEvent =
  | { type: "org.policy.lockout.added" | "instance.policy.lockout.added"; payload: LockoutPolicyAddedPayload }
  | { type: "org.policy.lockout.changed" | "instance.policy.lockout.changed"; payload: LockoutPolicyChangedPayload }
  | { type: "org.policy.lockout.removed"; payload: null }
  // Latchkey's lockout schedule (lockout-schedule.ts): the whole schedule on every set.
  | { type: "org.policy.lockout.schedule.set" | "instance.policy.lockout.schedule.set"; payload: LockoutSchedule }
  | { type: "org.policy.lockout.schedule.removed"; payload: null };

export interface LockoutPolicyState extends LockoutPolicyValues {
  readonly exists: boolean;
  readonly showFailures: boolean;
  /** The organisation's own schedule (or the instance default); undefined when none was set. */
  readonly schedule?: LockoutSchedule;
}

export const initialLockoutPolicyState: LockoutPolicyState = Object.freeze({
  exists: false,
  maxPasswordAttempts: 0,
  maxOtpAttempts: 0,
  showFailures: true,
});

export type LockoutPolicyCommand =
  | { type: "AddCustom"; values: LockoutPolicyValues }
  | { type: "ChangeCustom"; values: LockoutPolicyValues }
  | { type: "RemoveCustom" }
  /** The instance default from the configuration: added once, changed when the configuration changes. */
  | { type: "SetDefault"; values: LockoutPolicyValues }
  | { type: "SetSchedule"; schedule: LockoutSchedule }
  | { type: "ResetSchedule" }
  /** The instance default schedule from the configuration, like SetDefault. */
  | { type: "SetDefaultSchedule"; schedule: LockoutSchedule };

function changes(state: LockoutPolicyState, values: LockoutPolicyValues): LockoutPolicyChangedPayload {
  const changed: LockoutPolicyChangedPayload = {};
  if (state.maxPasswordAttempts !== values.maxPasswordAttempts) changed.maxPasswordAttempts = values.maxPasswordAttempts;
  if (state.maxOtpAttempts !== values.maxOtpAttempts) changed.maxOTPAttempts = values.maxOtpAttempts;
  return changed;
}

const added = (values: LockoutPolicyValues): LockoutPolicyAddedPayload => ({
  maxPasswordAttempts: values.maxPasswordAttempts,
  maxOTPAttempts: values.maxOtpAttempts,
  showLockOutFailures: true,
});

export function decide(command: LockoutPolicyCommand, state: LockoutPolicyState): LockoutPolicyEvent[] {
  switch (command.type) {
    case "AddCustom":
      if (state.exists) throw new ZError(Errors.LockoutPolicy.AlreadyExists);
      return [{ type: "org.policy.lockout.added", payload: added(command.values) }];
    case "ChangeCustom": {
      if (!state.exists) throw new ZError(Errors.LockoutPolicy.ChangeNotFound);
      const changed = changes(state, command.values);
      if (Object.keys(changed).length === 0) throw new ZError(Errors.LockoutPolicy.NotChanged);
      return [{ type: "org.policy.lockout.changed", payload: changed }];
    }
    case "RemoveCustom":
      if (!state.exists) throw new ZError(Errors.LockoutPolicy.RemoveNotFound);
      return [{ type: "org.policy.lockout.removed", payload: null }];
    case "SetDefault": {
      if (!state.exists) return [{ type: "instance.policy.lockout.added", payload: added(command.values) }];
      const changed = changes(state, command.values);
      return Object.keys(changed).length === 0 ? [] : [{ type: "instance.policy.lockout.changed", payload: changed }];
    }
    case "SetSchedule":
      if (state.schedule && sameSchedule(state.schedule, command.schedule)) throw new ZError(Errors.LockoutSchedule.NotChanged);
      return [{ type: "org.policy.lockout.schedule.set", payload: { ...command.schedule } }];
    case "ResetSchedule":
      if (!state.schedule) throw new ZError(Errors.LockoutSchedule.NotFound);
      return [{ type: "org.policy.lockout.schedule.removed", payload: null }];
    case "SetDefaultSchedule":
      if (sameSchedule(state.schedule ?? defaultLockoutSchedule, command.schedule)) return [];
      return [{ type: "instance.policy.lockout.schedule.set", payload: { ...command.schedule } }];
  }
}

function sameSchedule(a: LockoutSchedule, b: LockoutSchedule): boolean {
  return (Object.keys(defaultLockoutSchedule) as (keyof LockoutSchedule)[]).every((key) => a[key] === b[key]);
}

/** Folds lockout policy events; every other event of the org or instance changes nothing. */
export function evolve(state: LockoutPolicyState, event: { type: string; payload: unknown }): LockoutPolicyState {
  switch (event.type) {
    case "org.policy.lockout.added":
    case "instance.policy.lockout.added": {
      const p = event.payload as LockoutPolicyAddedPayload;
      return { ...state, exists: true, maxPasswordAttempts: p.maxPasswordAttempts, maxOtpAttempts: p.maxOTPAttempts, showFailures: p.showLockOutFailures };
    }
    case "org.policy.lockout.changed":
    case "instance.policy.lockout.changed": {
      const p = event.payload as LockoutPolicyChangedPayload;
      return {
        ...state,
        maxPasswordAttempts: p.maxPasswordAttempts ?? state.maxPasswordAttempts,
        maxOtpAttempts: p.maxOTPAttempts ?? state.maxOtpAttempts,
        showFailures: p.showLockOutFailures ?? state.showFailures,
      };
    }
    case "org.policy.lockout.removed":
      return { ...initialLockoutPolicyState, schedule: state.schedule };
    case "org.policy.lockout.schedule.set":
    case "instance.policy.lockout.schedule.set":
      return { ...state, schedule: { ...defaultLockoutSchedule, ...(event.payload as Partial<LockoutSchedule>) } };
    case "org.policy.lockout.schedule.removed":
      return { ...state, schedule: undefined };
    default:
      return state;
  }
}

/**
 * The policy shares its stream with the organisation (or instance), whose own
 * decider keeps the snapshot; this one folds the stream's events and writes none.
 */
const NO_SNAPSHOT = -1;

export const orgLockoutPolicyDecider = {
  aggregateType: "org",
  snapshotRevision: NO_SNAPSHOT,
  decide,
  evolve,
  initialState: initialLockoutPolicyState,
} as const satisfies Decider<LockoutPolicyState, LockoutPolicyCommand, LockoutPolicyEvent>;

export const instanceLockoutPolicyDecider = { ...orgLockoutPolicyDecider, aggregateType: "instance" } as const satisfies Decider<
  LockoutPolicyState,
  LockoutPolicyCommand,
  LockoutPolicyEvent
>;
