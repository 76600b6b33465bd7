/**
 * Rules for one value (string, number, enum, bool, bytes, duration, list size),
 * each returning the violation reason in PGV's Go wording, or undefined.
 */
import { isFieldSet, ScalarType } from "@bufbuild/protobuf";
import type { DescEnum, DescField } from "@bufbuild/protobuf";
import { BytesRulesSchema, RepeatedRulesSchema, StringRulesSchema, UInt32RulesSchema, UInt64RulesSchema } from "../../../gen/validate/validate_pb.js";
import type {
  BoolRules,
  BytesRules,
  DurationRules,
  EnumRules,
  RepeatedRules,
  StringRules,
  UInt32Rules,
  UInt64Rules,
} from "../../../gen/validate/validate_pb.js";
import { goDuration, goQuote } from "./go-names.js";
import { emailError } from "./mail-address.js";

/** Violation reason for one value (what follows "invalid T.F: "), or undefined. */
export type Rule = (value: unknown) => string | undefined;

export function firstOf<T>(checks: ((value: T) => string | undefined)[]): ((value: T) => string | undefined) | null {
  if (checks.length === 0) return null;
  if (checks.length === 1) return checks[0] as (value: T) => string | undefined;
  return (value) => {
    for (const check of checks) {
      const violation = check(value);
      if (violation !== undefined) return violation;
    }
    return undefined;
  };
}
// --- 64-bit integers -----------------------------------------------------------

const SIXTY_FOUR_BIT = new Set([ScalarType.UINT64, ScalarType.INT64, ScalarType.FIXED64, ScalarType.SFIXED64, ScalarType.SINT64]);

export function is64Bit(scalar: ScalarType | undefined): boolean {
  return scalar !== undefined && SIXTY_FOUR_BIT.has(scalar);
}

/**
 * Beyond PGV: offsets and sequences go into SQL as numbers, which both stores
 * take exactly only up to 2^53 - 1 (SQLite binds larger ones as REAL, and a
 * uint64 may not even fit PostgreSQL's BIGINT). Larger values are refused in
 * PGV's words rather than failing in the store.
 */
export function storableRule(field: DescField, scalar: ScalarType): Rule {
  // Timestamps and durations have their own range (google/protobuf/timestamp.proto, duration.proto).
  const span = field.name === "seconds" ? SECONDS_RANGE[field.parent.typeName] : undefined;
  if (span) return rangeRule(span, BigInt);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  const unsigned = scalar === ScalarType.UINT64 || scalar === ScalarType.FIXED64;
  return rangeRule(unsigned ? { lte: max } : { gte: -max, lte: max }, BigInt);
}

const SECONDS_RANGE: Record<string, Bounds | undefined> = {
  // 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z
  "google.protobuf.Timestamp": { gte: -62135596800n, lte: 253402300799n },
  // about ±10,000 years
  "google.protobuf.Duration": { gte: -315576000000n, lte: 315576000000n },
};

export function both(first: Rule, second: Rule): Rule {
  return (value) => first(value) ?? second(value);
}

export const WRAPPERS: Record<string, ScalarType | undefined> = {
  "google.protobuf.StringValue": ScalarType.STRING,
  "google.protobuf.UInt32Value": ScalarType.UINT32,
  "google.protobuf.UInt64Value": ScalarType.UINT64,
};

export function misplaced(field: DescField, kind: string): Error {
  return new Error(`${field.parent.typeName}.${field.name}: validate.rules.${kind} does not apply to this field`);
}

// --- strings -----------------------------------------------------------------

export function stringRule(r: StringRules): Rule {
  const rules: Rule[] = [];
  const min = isFieldSet(r, StringRulesSchema.field.minLen) ? Number(r.minLen) : undefined;
  const max = isFieldSet(r, StringRulesSchema.field.maxLen) ? Number(r.maxLen) : undefined;
  if (min !== undefined || max !== undefined) rules.push(runeLengthRule(min, max));
  if (isFieldSet(r, StringRulesSchema.field.prefix)) {
    const prefix = r.prefix;
    const reason = `value does not have prefix ${goQuote(prefix)}`;
    rules.push((v) => ((v as string).startsWith(prefix) ? undefined : reason));
  }
  if (r.email) {
    rules.push((v) => {
      const cause = emailError(v as string);
      return cause === undefined ? undefined : `value must be a valid email address | caused by: ${cause}`;
    });
  }
  return firstOf(rules) ?? (() => undefined);
}

function runeLengthRule(min: number | undefined, max: number | undefined): Rule {
  let reason: string;
  if (min !== undefined && min === max) reason = `value length must be ${min} runes`;
  else if (min !== undefined && max !== undefined) reason = `value length must be between ${min} and ${max} runes, inclusive`;
  else if (min !== undefined) reason = `value length must be at least ${min} runes`;
  else reason = `value length must be at most ${max} runes`;
  const lo = min ?? 0;
  const hi = max ?? Number.POSITIVE_INFINITY;
  return (v) => {
    const s = v as string;
    // A string of n UTF-16 units holds between ceil(n/2) and n code points;
    // count them only when that range straddles a bound.
    const units = s.length;
    if (units <= hi && (units + 1) >> 1 >= lo) return undefined;
    const runes = countRunes(s);
    return runes < lo || runes > hi ? reason : undefined;
  };
}

function countRunes(s: string): number {
  let runes = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        runes--;
        i++;
      }
    }
  }
  return runes;
}

// --- numbers and enums ---------------------------------------------------------

export interface Bounds {
  readonly lt?: number | bigint;
  readonly lte?: number | bigint;
  readonly gt?: number | bigint;
  readonly gte?: number | bigint;
}

export function uint32Bounds(r: UInt32Rules): Bounds {
  const f = UInt32RulesSchema.field;
  const at = (key: "lt" | "lte" | "gt" | "gte") => (isFieldSet(r, f[key]) ? r[key] : undefined);
  return { lt: at("lt"), lte: at("lte"), gt: at("gt"), gte: at("gte") };
}

export function uint64Bounds(r: UInt64Rules): Bounds {
  const f = UInt64RulesSchema.field;
  const at = (key: "lt" | "lte" | "gt" | "gte") => (isFieldSet(r, f[key]) ? r[key] : undefined);
  return { lt: at("lt"), lte: at("lte"), gt: at("gt"), gte: at("gte") };
}

// Same cases and wording as PGV's range template: lt wins over lte, gt over gte,
// and a lower bound above the upper one means "outside".
export function rangeRule({ lt, lte, gt, gte }: Bounds, toValue: (v: never) => number | bigint): Rule {
  const upper = lt ?? lte;
  const lower = gt ?? gte;
  const tooHigh = (v: number | bigint) => (lt !== undefined ? v >= lt : v > (lte as number | bigint));
  const tooLow = (v: number | bigint) => (gt !== undefined ? v <= gt : v < (gte as number | bigint));
  let fails: (v: number | bigint) => boolean;
  let reason: string;
  if (upper !== undefined && lower !== undefined) {
    if (upper > lower) {
      fails = (v) => tooLow(v) || tooHigh(v);
      reason = `value must be inside range ${gt !== undefined ? "(" : "["}${lower}, ${upper}${lt !== undefined ? ")" : "]"}`;
    } else {
      fails = (v) => tooLow(v) && tooHigh(v);
      reason = `value must be outside range ${lt !== undefined ? "[" : "("}${upper}, ${lower}${gt !== undefined ? "]" : ")"}`;
    }
  } else if (upper !== undefined) {
    fails = tooHigh;
    reason = lt !== undefined ? `value must be less than ${lt}` : `value must be less than or equal to ${lte}`;
  } else if (lower !== undefined) {
    fails = tooLow;
    reason = gt !== undefined ? `value must be greater than ${gt}` : `value must be greater than or equal to ${gte}`;
  } else {
    return () => undefined;
  }
  return (v) => (fails(toValue(v as never)) ? reason : undefined);
}

export function enumRule(r: EnumRules, type: DescEnum, inList: boolean): Rule {
  const rules: Rule[] = [];
  if (r.notIn.length > 0) {
    const excluded = new Set(r.notIn);
    // PGV names the values of a singular enum field, but prints numbers for list items.
    const shown = r.notIn.map((n) => (inList ? String(n) : (type.values.find((v) => v.number === n)?.name ?? "")));
    const reason = `value must not be in list [${shown.join(" ")}]`;
    rules.push((v) => (excluded.has(v as number) ? reason : undefined));
  }
  if (r.definedOnly) {
    const defined = new Set(type.values.map((v) => v.number));
    rules.push((v) => (defined.has(v as number) ? undefined : "value must be one of the defined enum values"));
  }
  return firstOf(rules) ?? (() => undefined);
}

// --- bools, bytes and durations ---------------------------------------------------

export function boolRule(r: BoolRules): Rule {
  if (r.const === undefined) return () => undefined;
  const expected = r.const;
  const reason = `value must equal ${expected}`;
  return (v) => (v === expected ? undefined : reason);
}

export function bytesRule(r: BytesRules): Rule {
  const min = isFieldSet(r, BytesRulesSchema.field.minLen) ? Number(r.minLen) : undefined;
  const max = isFieldSet(r, BytesRulesSchema.field.maxLen) ? Number(r.maxLen) : undefined;
  if (min === undefined && max === undefined) return () => undefined;
  let reason: string;
  if (min !== undefined && min === max) reason = `value length must be ${min} bytes`;
  else if (min !== undefined && max !== undefined) reason = `value length must be between ${min} and ${max} bytes, inclusive`;
  else if (min !== undefined) reason = `value length must be at least ${min} bytes`;
  else reason = `value length must be at most ${max} bytes`;
  return (v) => {
    const length = (v as Uint8Array).length;
    return length < (min ?? 0) || length > (max ?? Number.POSITIVE_INFINITY) ? reason : undefined;
  };
}

/** PGV checks a duration only when it is set (or required). */
export function durationRule(r: DurationRules, isRequired: boolean): Rule {
  const nanosOf = (d: { seconds: bigint; nanos: number } | undefined) => (d === undefined ? undefined : Number(d.seconds) * 1e9 + d.nanos);
  const gt = nanosOf(r.gt);
  const gte = nanosOf(r.gte);
  const lte = nanosOf(r.lte);
  // PGV's texts: a closed range when both ends are set, otherwise the one bound.
  const failure = (d: number): string | undefined => {
    if (gte !== undefined && lte !== undefined) {
      return d < gte || d > lte ? `value must be inside range [${goDuration(gte)}, ${goDuration(lte)}]` : undefined;
    }
    if (gt !== undefined && d <= gt) return `value must be greater than ${goDuration(gt)}`;
    if (gte !== undefined && d < gte) return `value must be greater than or equal to ${goDuration(gte)}`;
    if (lte !== undefined && d > lte) return `value must be less than or equal to ${goDuration(lte)}`;
    return undefined;
  };
  return (value) => {
    if (value === undefined) return isRequired ? "value is required" : undefined;
    return failure(nanosOf(value as { seconds: bigint; nanos: number })!);
  };
}

export function itemCountRule(r: RepeatedRules): ((count: number) => string | undefined) | undefined {
  // PGV tests min_items by value but max_items by presence.
  const min = Number(r.minItems);
  const hasMax = isFieldSet(r, RepeatedRulesSchema.field.maxItems);
  const max = Number(r.maxItems);
  if (min !== 0) {
    if (min === max) return (n) => (n !== min ? `value must contain exactly ${min} item(s)` : undefined);
    if (hasMax) {
      return (n) => (n < min || n > max ? `value must contain between ${min} and ${max} items, inclusive` : undefined);
    }
    return (n) => (n < min ? `value must contain at least ${min} item(s)` : undefined);
  }
  if (hasMax) return (n) => (n > max ? `value must contain no more than ${max} item(s)` : undefined);
  return undefined;
}
