import { Errors, type ErrorEntry } from "../../errors.js";

/** ZITADEL's password complexity policy; the instance default requires everything. */
export interface PasswordComplexityPolicy {
  readonly minLength: number;
  readonly hasLowercase: boolean;
  readonly hasUppercase: boolean;
  readonly hasNumber: boolean;
  readonly hasSymbol: boolean;
}

export const defaultPasswordComplexity: PasswordComplexityPolicy = Object.freeze({
  minLength: 8,
  hasLowercase: true,
  hasUppercase: true,
  hasNumber: true,
  hasSymbol: true,
});

/**
 * The first rule a new password breaks, in ZITADEL's order, or undefined.
 * Length counts UTF-8 bytes and the character classes are ASCII, as in Go.
 */
export function passwordComplexityViolation(password: string, policy: PasswordComplexityPolicy = defaultPasswordComplexity): ErrorEntry | undefined {
  if (policy.minLength !== 0 && Buffer.byteLength(password, "utf8") < policy.minLength) return Errors.Password.MinLength;
  if (policy.hasLowercase && !/[a-z]/.test(password)) return Errors.Password.HasLower;
  if (policy.hasUppercase && !/[A-Z]/.test(password)) return Errors.Password.HasUpper;
  if (policy.hasNumber && !/[0-9]/.test(password)) return Errors.Password.HasNumber;
  if (policy.hasSymbol && !/[^A-Za-z0-9]/.test(password)) return Errors.Password.HasSymbol;
  return undefined;
}
