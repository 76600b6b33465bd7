import { describe, expect, it } from "vitest";
import { userDecider } from "../../../src/domain/user/decider.js";
import type { UserCommand } from "../../../src/domain/user/commands.js";
import type { UserEvent } from "../../../src/domain/user/events.js";
import { failedOtpAttempts, failedPasswordAttempts } from "../../../src/domain/user/transitions.js";
import { passwordComplexityViolation } from "../../../src/domain/user/password-complexity.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";
import { human, humanAdded, initCodeAdded, machineAdded, userLocked, userUnlocked } from "../../support/user-fixtures.js";

const spec = deciderSpec(userDecider);
const HASH = human.encodedHash!;
const check = (matches: boolean, maxAttempts: number, checkedHash = HASH): UserCommand => ({ type: "CheckPassword", checkedHash, matches, maxAttempts });
const failed = (): UserEvent => ({ type: "user.human.password.check.failed", payload: null });
const succeeded = (): UserEvent => ({ type: "user.human.password.check.succeeded", payload: null });
const locked = (): UserEvent => ({ type: "user.locked", payload: null });
const changed = (encodedHash = "new-hash"): UserEvent => ({ type: "user.human.password.changed", payload: { encodedHash, changeRequired: false } });
const fold = (events: UserEvent[]) => events.reduce(userDecider.evolve, userDecider.initialState);
const failures = (n: number) => Array.from({ length: n }, failed);

describe("CheckPassword counts exactly as ZITADEL", () => {
  it("records a success", () => {
    spec.given([humanAdded()]).when(check(true, 3)).then([succeeded()]);
  });
  it("records a failure without locking below the limit", () => {
    spec
      .given([humanAdded(), ...failures(1)])
      .when(check(false, 3))
      .then([failed()]);
  });
  it("locks on the N-th failure, in the same write", () => {
    spec
      .given([humanAdded(), ...failures(2)])
      .when(check(false, 3))
      .then([failed(), locked()]);
  });
  it("locks on the first failure with a limit of 1", () => {
    spec.given([humanAdded()]).when(check(false, 1)).then([failed(), locked()]);
  });
  it("never locks with a limit of 0, however many failures", () => {
    spec
      .given([humanAdded(), ...failures(50)])
      .when(check(false, 0))
      .then([failed()]);
  });
  it("refuses a locked user after the N-th failure (COMMAND-SFA3t)", () => {
    spec
      .given([humanAdded(), ...failures(2), failed(), locked()])
      .when(check(true, 3))
      .thenThrows(Errors.Password.LockedMeanwhile);
  });
  it("starts counting again after an unlock", () => {
    spec
      .given([humanAdded(), ...failures(3), locked(), userUnlocked(), ...failures(1)])
      .when(check(false, 3))
      .then([failed()]);
  });
  it("starts counting again after a success", () => {
    spec
      .given([humanAdded(), ...failures(2), succeeded()])
      .when(check(false, 3))
      .then([failed()]);
  });
  it("starts counting again after a password change", () => {
    spec
      .given([humanAdded(), ...failures(2), changed()])
      .when(check(false, 3, "new-hash"))
      .then([failed()]);
  });
  it("asks for a new verification when the hash changed meanwhile", () => {
    spec.given([humanAdded(), changed()]).when(check(false, 3)).thenThrows(Errors.Password.CheckStale);
  });
  it("rejects a user without a password", () => {
    spec
      .given([humanAdded({ encodedHash: undefined })])
      .when(check(false, 3))
      .thenThrows(Errors.Password.NotSet);
  });
  it("rejects a machine user and an unknown or removed user as not found", () => {
    spec.given([machineAdded()]).when(check(false, 3)).thenThrows(Errors.Password.CheckUserNotFound);
    spec.given([]).when(check(false, 3)).thenThrows(Errors.Password.CheckUserNotFound);
    spec
      .given([humanAdded(), { type: "user.removed", payload: null }])
      .when(check(false, 3))
      .thenThrows(Errors.Password.CheckUserNotFound);
  });
  it("checks an initial user's password", () => {
    spec.given([humanAdded(), initCodeAdded()]).when(check(false, 3)).then([failed()]);
  });
  it("an administrator's lock keeps the count; the unlock resets it", () => {
    const lockedByAdmin = fold([humanAdded(), ...failures(2), userLocked()]);
    expect(failedPasswordAttempts(lockedByAdmin)).toBe(2);
    expect(failedPasswordAttempts(userDecider.evolve(lockedByAdmin, userUnlocked()))).toBe(0);
  });
});

describe("CheckOtp counts with max_otp_attempts", () => {
  const otp = (matches: boolean, maxAttempts: number, factor: "totp" | "sms" | "email" = "totp"): UserCommand => ({
    type: "CheckOtp",
    factor,
    matches,
    maxAttempts,
  });
  const otpFailed = (): UserEvent => ({ type: "user.human.mfa.otp.check.failed", payload: null });
  it("locks on the N-th failed code", () => {
    spec.given([humanAdded(), otpFailed()]).when(otp(false, 2)).then([otpFailed(), locked()]);
  });
  it("names the factor in the event type", () => {
    spec
      .given([humanAdded()])
      .when(otp(false, 0, "sms"))
      .then([{ type: "user.human.mfa.otp.sms.check.failed", payload: null }]);
    spec
      .given([humanAdded()])
      .when(otp(true, 0, "email"))
      .then([{ type: "user.human.mfa.otp.email.check.succeeded", payload: null }]);
  });
  it("refuses a locked user (COMMAND-S6h4R)", () => {
    spec.given([humanAdded(), userLocked()]).when(otp(true, 2)).thenThrows(Errors.Password.OtpLocked);
  });
  it("keeps password and OTP counts apart, and an unlock resets both", () => {
    const state = fold([humanAdded(), failed(), otpFailed(), otpFailed()]);
    expect([failedPasswordAttempts(state), failedOtpAttempts(state)]).toEqual([1, 2]);
    const unlocked = fold([humanAdded(), failed(), otpFailed(), userLocked(), userUnlocked()]);
    expect([failedPasswordAttempts(unlocked), failedOtpAttempts(unlocked)]).toEqual([0, 0]);
  });
});

describe("SetPassword (v1 SetHumanPassword)", () => {
  const set = (violation?: (typeof Errors.Password)[keyof typeof Errors.Password]): UserCommand => ({
    type: "SetPassword",
    encodedHash: "new-hash",
    changeRequired: true,
    violation,
  });
  it("records the new hash, never the password", () => {
    spec
      .given([humanAdded()])
      .when(set())
      .then([{ type: "user.human.password.changed", payload: { encodedHash: "new-hash", changeRequired: true } }]);
  });
  it("works for a locked user without unlocking it", () => {
    spec
      .given([humanAdded(), userLocked()])
      .when(set())
      .then([{ type: "user.human.password.changed", payload: { encodedHash: "new-hash", changeRequired: true } }]);
  });
  it("checks the user before the password: unknown, machine (COMMAND-3M0fs), then initial (COMMAND-M9dse)", () => {
    spec.given([]).when(set(Errors.Password.MinLength)).thenThrows(Errors.Lifecycle.SetPasswordNotFound);
    spec.given([machineAdded()]).when(set()).thenThrows(Errors.Lifecycle.SetPasswordNotFound);
    spec.given([humanAdded(), initCodeAdded()]).when(set(Errors.Password.MinLength)).thenThrows(Errors.Lifecycle.PasswordNotInitialised);
  });
  it("rejects a password that breaks the complexity policy", () => {
    spec.given([humanAdded()]).when(set(Errors.Password.HasSymbol)).thenThrows(Errors.Password.HasSymbol);
  });
});

describe("password complexity (ZITADEL's defaults: 8 characters, lower, upper, number, symbol)", () => {
  it.each([
    ["Sh0rt!", Errors.Password.MinLength],
    ["NOLOWER1!", Errors.Password.HasLower],
    ["noupper1!", Errors.Password.HasUpper],
    ["NoNumber!", Errors.Password.HasNumber],
    ["NoSymbol1", Errors.Password.HasSymbol],
    ["Secr3t!Passw0rd", undefined],
    // Length counts UTF-8 bytes, as Go's len(): 6 characters, 8 bytes.
    ["Aéé1!x", undefined],
  ])("%s", (password, expected) => {
    expect(passwordComplexityViolation(password)).toBe(expected);
  });
  it("reports the first rule broken, in ZITADEL's order", () => {
    expect(passwordComplexityViolation("a")?.id).toBe("DOMAIN-HuJf6");
    expect(passwordComplexityViolation("ABCDEFGH")?.id).toBe("DOMAIN-co3Xw");
  });
});
