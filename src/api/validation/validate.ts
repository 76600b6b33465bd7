/**
 * Request validation driven by the `(validate.rules)` options in our descriptors.
 *
 * ZITADEL rejects malformed requests with the text of protoc-gen-validate's Go
 * `Validate()` (first violation only), and clients match on that text, so the
 * checks, their order and the wording follow PGV's generated Go code.
 *
 * Each message type gets a plan, built once from its descriptor and cached, so a
 * request pays only for the rules its type actually carries.
 */
import { getOption, hasOption, isFieldSet, ScalarType } from "@bufbuild/protobuf";
import type { DescEnum, DescField, DescMessage, DescOneof, Message } from "@bufbuild/protobuf";
import { isIP } from "node:net";
import {
  BytesRulesSchema,
  RepeatedRulesSchema,
  StringRulesSchema,
  UInt32RulesSchema,
  UInt64RulesSchema,
  required as oneofRequired,
  rules as fieldRules,
} from "../../../gen/validate/validate_pb.js";
import type {
  BoolRules,
  BytesRules,
  DurationRules,
  EnumRules,
  FieldRules,
  RepeatedRules,
  StringRules,
  UInt32Rules,
  UInt64Rules,
} from "../../../gen/validate/validate_pb.js";

/** Message fields by local name; generated messages are plain objects. */
type Fields = Record<string, unknown>;
/** Full violation text for a message, or undefined. */
type Check = (message: Fields) => string | undefined;
/** Violation reason for one value (what follows "invalid T.F: "), or undefined. */
type Rule = (value: unknown) => string | undefined;
/** What a field or a list/map element holds. */
interface ValueType {
  readonly scalar: ScalarType | undefined;
  readonly enum: DescEnum | undefined;
  readonly message: DescMessage | undefined;
}

/**
 * Returns the first rule violation in `message` in PGV's Go wording, e.g.
 * `invalid UnlockUserRequest.Id: value length must be between 1 and 200 runes, inclusive`.
 */
export function validateMessage(schema: DescMessage, message: Message): string | undefined {
  const check = planFor(schema);
  return check === null ? undefined : check(message as unknown as Fields);
}

// null: nothing to check for this type (and nothing below it).
const plans = new WeakMap<DescMessage, Check | null>();

function planFor(schema: DescMessage): Check | null {
  let plan = plans.get(schema);
  if (plan === undefined) {
    plan = hasReachableRules(schema) ? buildPlan(schema) : null;
    plans.set(schema, plan);
  }
  return plan;
}

const reachable = new WeakMap<DescMessage, boolean>();

/** Whether the type or any message type reachable through its fields carries rules. */
function hasReachableRules(root: DescMessage): boolean {
  let found = reachable.get(root);
  if (found !== undefined) return found;
  found = false;
  const seen = new Set<DescMessage>();
  const stack = [root];
  while (stack.length > 0 && !found) {
    const type = stack.pop() as DescMessage;
    if (seen.has(type)) continue;
    seen.add(type);
    found = hasOwnRules(type);
    for (const field of type.fields) {
      if (field.message !== undefined) stack.push(field.message);
    }
  }
  reachable.set(root, found);
  return found;
}

function hasOwnRules(type: DescMessage): boolean {
  return (
    type.fields.some((f) => hasOption(f, fieldRules) || is64Bit(f.scalar)) ||
    type.oneofs.some((o) => getOption(o, oneofRequired))
  );
}

function rulesOf(field: DescField): FieldRules | undefined {
  return hasOption(field, fieldRules) ? getOption(field, fieldRules) : undefined;
}

// PGV's Go code checks plain fields first, then real oneofs, then proto3 optionals.
function buildPlan(schema: DescMessage): Check | null {
  const typeName = goTypeName(schema);
  const checks: Check[] = [];
  const add = (check: Check | undefined) => {
    if (check !== undefined) checks.push(check);
  };
  const optionals: DescField[] = [];
  for (const field of schema.fields) {
    if (field.proto.proto3Optional) optionals.push(field);
    else if (field.oneof === undefined) add(fieldCheck(field, typeName, false));
  }
  for (const oneof of schema.oneofs) add(oneofCheck(oneof, typeName));
  optionals.sort((a, b) => a.proto.oneofIndex - b.proto.oneofIndex);
  for (const field of optionals) add(fieldCheck(field, typeName, true));
  return firstOf(checks);
}

function firstOf<T>(checks: ((value: T) => string | undefined)[]): ((value: T) => string | undefined) | null {
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

function fieldCheck(field: DescField, typeName: string, skipUnset: boolean): Check | undefined {
  const label = `${typeName}.${goFieldName(field.name)}`;
  const key = field.localName;
  const fr = rulesOf(field);
  if (field.fieldKind === "list") {
    const check = listCheck(field, fr, label);
    return check && ((m) => check(m[key] as unknown[]));
  }
  if (field.fieldKind === "map") {
    const check = mapCheck(field, fr, label);
    return check && ((m) => check(m[key] as Fields));
  }
  const rule = valueRule(field, field, fr, label, false);
  if (rule === undefined) return undefined;
  return (m) => {
    const value = m[key];
    if (skipUnset && value === undefined) return undefined;
    const reason = rule(value);
    return reason === undefined ? undefined : `invalid ${label}: ${reason}`;
  };
}

function oneofCheck(oneof: DescOneof, typeName: string): Check | undefined {
  const isRequired = getOption(oneof, oneofRequired);
  const members = new Map<string, { label: string; rule: Rule }>();
  for (const field of oneof.fields) {
    const label = `${typeName}.${goFieldName(field.name)}`;
    const rule = valueRule(field, field, rulesOf(field), label, false);
    if (rule !== undefined) members.set(field.localName, { label, rule });
  }
  if (!isRequired && members.size === 0) return undefined;
  const key = oneof.localName;
  const label = `${typeName}.${goFieldName(oneof.name)}`;
  return (m) => {
    const selected = m[key] as { case: string | undefined; value?: unknown };
    if (selected.case === undefined) return isRequired ? `invalid ${label}: value is required` : undefined;
    const member = members.get(selected.case);
    const reason = member?.rule(selected.value);
    return reason === undefined ? undefined : `invalid ${member?.label}: ${reason}`;
  };
}

function listCheck(field: DescField, fr: FieldRules | undefined, label: string) {
  const kind = fr?.type.case;
  if (kind !== undefined && kind !== "repeated") throw misplaced(field, kind);
  const rr = kind === "repeated" ? (fr?.type.value as RepeatedRules) : undefined;
  const checks: ((list: unknown[]) => string | undefined)[] = [];
  const count = rr && itemCountRule(rr);
  if (count) {
    checks.push((list) => {
      const reason = count(list.length);
      return reason === undefined ? undefined : `invalid ${label}: ${reason}`;
    });
  }
  const item = valueRule(field, field, rr?.items, label, true);
  if (item) {
    checks.push((list) => {
      for (let i = 0; i < list.length; i++) {
        const reason = item(list[i]);
        if (reason !== undefined) return `invalid ${label}[${i}]: ${reason}`;
      }
      return undefined;
    });
  }
  return firstOf(checks) ?? undefined;
}

// Our validate.proto has no map rules; message values are still validated, in key order.
function mapCheck(field: DescField, fr: FieldRules | undefined, label: string) {
  if (fr?.type.case !== undefined) throw misplaced(field, fr.type.case);
  if (field.fieldKind !== "map" || field.message === undefined) return undefined;
  const value = messageRule(field.message, false);
  if (value === undefined) return undefined;
  const numericKeys = field.mapKey !== ScalarType.STRING && field.mapKey !== ScalarType.BOOL;
  return (map: Fields) => {
    const keys = Object.keys(map);
    if (keys.length === 0) return undefined;
    keys.sort(numericKeys ? (a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0) : undefined);
    for (const key of keys) {
      const reason = value(map[key]);
      if (reason !== undefined) return `invalid ${label}[${key}]: ${reason}`;
    }
    return undefined;
  };
}

/** Rule for a singular value or one list element of `type`. */
function valueRule(
  field: DescField,
  type: ValueType,
  fr: FieldRules | undefined,
  label: string,
  inList: boolean,
): Rule | undefined {
  const kind = fr?.type.case;
  const isRequired = fr?.message?.required ?? false;
  if (kind === undefined) {
    if (is64Bit(type.scalar)) return storableRule(field, type.scalar!);
    return type.message === undefined ? undefined : messageRule(type.message, isRequired);
  }
  if (kind === "repeated") throw misplaced(field, kind);
  const wrapped = type.message === undefined ? undefined : WRAPPERS[type.message.typeName];
  const scalar = wrapped ?? type.scalar;
  let rule: Rule;
  if (kind === "string" && scalar === ScalarType.STRING) {
    rule = stringRule(fr?.type.value as StringRules);
  } else if (kind === "uint32" && scalar === ScalarType.UINT32) {
    rule = rangeRule(uint32Bounds(fr?.type.value as UInt32Rules), Number);
  } else if (kind === "uint64" && scalar === ScalarType.UINT64) {
    rule = both(rangeRule(uint64Bounds(fr?.type.value as UInt64Rules), BigInt), storableRule(field, scalar));
  } else if (kind === "enum" && type.enum !== undefined) {
    rule = enumRule(fr?.type.value as EnumRules, type.enum, inList);
  } else if (kind === "bool" && scalar === ScalarType.BOOL) {
    rule = boolRule(fr?.type.value as BoolRules);
  } else if (kind === "bytes" && scalar === ScalarType.BYTES) {
    rule = bytesRule(fr?.type.value as BytesRules);
  } else if (kind === "duration" && type.message?.typeName === "google.protobuf.Duration") {
    return durationRule(fr?.type.value as DurationRules, isRequired);
  } else {
    throw misplaced(field, kind);
  }
  if (wrapped === undefined) return rule;
  // Wrapper fields arrive unboxed; PGV checks the inner value when present.
  return (value) => {
    if (value === undefined || value === null) {
      return isRequired ? "value is required and must not be nil." : undefined;
    }
    return rule(typeof value === "object" ? (value as { value: unknown }).value : value);
  };
}

// --- 64-bit integers -----------------------------------------------------------

const SIXTY_FOUR_BIT = new Set([ScalarType.UINT64, ScalarType.INT64, ScalarType.FIXED64, ScalarType.SFIXED64, ScalarType.SINT64]);

function is64Bit(scalar: ScalarType | undefined): boolean {
  return scalar !== undefined && SIXTY_FOUR_BIT.has(scalar);
}

/**
 * Beyond PGV: offsets and sequences go into SQL as numbers, which both stores
 * take exactly only up to 2^53 - 1 (SQLite binds larger ones as REAL, and a
 * uint64 may not even fit PostgreSQL's BIGINT). Larger values are refused in
 * PGV's words rather than failing in the store.
 */
function storableRule(field: DescField, scalar: ScalarType): Rule {
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

function both(first: Rule, second: Rule): Rule {
  return (value) => first(value) ?? second(value);
}

const WRAPPERS: Record<string, ScalarType | undefined> = {
  "google.protobuf.StringValue": ScalarType.STRING,
  "google.protobuf.UInt32Value": ScalarType.UINT32,
  "google.protobuf.UInt64Value": ScalarType.UINT64,
};

function misplaced(field: DescField, kind: string): Error {
  return new Error(`${field.parent.typeName}.${field.name}: validate.rules.${kind} does not apply to this field`);
}

function messageRule(nested: DescMessage, isRequired: boolean): Rule | undefined {
  const embedded = hasReachableRules(nested);
  if (!isRequired && !embedded) return undefined;
  // Resolved on first use rather than now, so recursive types terminate.
  let plan: Check | null | undefined;
  return (value) => {
    if (value === undefined) return isRequired ? "value is required" : undefined;
    if (!embedded) return undefined;
    plan ??= planFor(nested);
    const inner = plan?.(value as Fields);
    return inner === undefined ? undefined : `embedded message failed validation | caused by: ${inner}`;
  };
}

// --- strings -----------------------------------------------------------------

function stringRule(r: StringRules): Rule {
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

interface Bounds {
  readonly lt?: number | bigint;
  readonly lte?: number | bigint;
  readonly gt?: number | bigint;
  readonly gte?: number | bigint;
}

function uint32Bounds(r: UInt32Rules): Bounds {
  const f = UInt32RulesSchema.field;
  const at = (key: "lt" | "lte" | "gt" | "gte") => (isFieldSet(r, f[key]) ? r[key] : undefined);
  return { lt: at("lt"), lte: at("lte"), gt: at("gt"), gte: at("gte") };
}

function uint64Bounds(r: UInt64Rules): Bounds {
  const f = UInt64RulesSchema.field;
  const at = (key: "lt" | "lte" | "gt" | "gte") => (isFieldSet(r, f[key]) ? r[key] : undefined);
  return { lt: at("lt"), lte: at("lte"), gt: at("gt"), gte: at("gte") };
}

// Same cases and wording as PGV's range template: lt wins over lte, gt over gte,
// and a lower bound above the upper one means "outside".
function rangeRule({ lt, lte, gt, gte }: Bounds, toValue: (v: never) => number | bigint): Rule {
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

function enumRule(r: EnumRules, type: DescEnum, inList: boolean): Rule {
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

function boolRule(r: BoolRules): Rule {
  if (r.const === undefined) return () => undefined;
  const expected = r.const;
  const reason = `value must equal ${expected}`;
  return (v) => (v === expected ? undefined : reason);
}

function bytesRule(r: BytesRules): Rule {
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
function durationRule(r: DurationRules, isRequired: boolean): Rule {
  const gt = r.gt;
  const bound = gt === undefined ? undefined : Number(gt.seconds) * 1e9 + gt.nanos;
  const reason = gt === undefined ? "" : `value must be greater than ${goDuration(bound!)}`;
  return (value) => {
    if (value === undefined) return isRequired ? "value is required" : undefined;
    const d = value as { seconds: bigint; nanos: number };
    if (bound === undefined) return undefined;
    return Number(d.seconds) * 1e9 + d.nanos <= bound ? reason : undefined;
  };
}

/** Go's time.Duration String() for bounds below a minute (our protos use 0s). */
function goDuration(nanos: number): string {
  if (nanos === 0) return "0s";
  if (nanos % 1e9 === 0) return `${nanos / 1e9}s`;
  return `${nanos}ns`;
}

function itemCountRule(r: RepeatedRules): ((count: number) => string | undefined) | undefined {
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

// --- Go names --------------------------------------------------------------------

// Field names that clash with methods of Go messages get a trailing underscore.
const GO_RESERVED = new Set([
  "Reset",
  "String",
  "ProtoMessage",
  "Marshal",
  "Unmarshal",
  "ExtensionRangeArray",
  "ExtensionMap",
  "Descriptor",
]);

function goFieldName(protoName: string): string {
  const name = goCamelCase(protoName);
  return GO_RESERVED.has(name) ? `${name}_` : name;
}

/** Go type name: nested messages are joined with "_", e.g. AddHumanUserRequest_Profile. */
function goTypeName(schema: DescMessage): string {
  const pkg = schema.file.proto.package;
  const local = pkg === "" ? schema.typeName : schema.typeName.slice(pkg.length + 1);
  return local.split(".").map(goCamelCase).join("_");
}

/** protoc-gen-go's CamelCase: drop "_" before a lowercase letter and capitalise word starts. */
function goCamelCase(name: string): string {
  const isLower = (c: string | undefined) => c !== undefined && c >= "a" && c <= "z";
  let out = "";
  let i = 0;
  if (name.startsWith("_")) {
    out = "X";
    i = 1;
  }
  for (; i < name.length; i++) {
    const c = name.charAt(i);
    if (c === "_" && isLower(name[i + 1])) continue;
    if (c >= "0" && c <= "9") {
      out += c;
      continue;
    }
    out += isLower(c) ? c.toUpperCase() : c;
    while (isLower(name[i + 1])) out += name.charAt(++i);
  }
  return out;
}

const GO_ESCAPES: Record<string, string> = { "\x07": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v" };

/** Go's %q (strconv.Quote; a rune when `quote` is "'"), exact for ASCII control characters. */
function goQuote(s: string, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const escape = GO_ESCAPES[ch];
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (escape !== undefined) out += `\\${escape}`;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

// --- email -------------------------------------------------------------------------
//
// PGV's email rule: Go's net/mail.ParseAddress, then at most 254 bytes in total,
// at most 64 in the local part, and a valid hostname after the "@". The parser
// below follows ParseAddress's grammar and error texts for a single address
// (display names, angle brackets, comments and groups).

const utf8Length = (s: string) => Buffer.byteLength(s, "utf8");

// Plain ASCII "dot-atom@dot-atom", which ParseAddress returns unchanged: most
// addresses take this path and skip the parser.
const ATEXT = "[\\w!#$%&'*+/=?^`{|}~-]+";
const SIMPLE_ADDRESS = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*@${ATEXT}(?:\\.${ATEXT})*$`);

function emailError(input: string): string | undefined {
  const simple = SIMPLE_ADDRESS.test(input);
  const parsed = simple ? input : parseMailAddress(input);
  if (typeof parsed !== "string") return parsed.error;
  const size = simple ? (s: string) => s.length : utf8Length;
  if (size(parsed) > 254) return "email addresses cannot exceed 254 characters";
  const at = parsed.indexOf("@");
  if (size(parsed.slice(0, at)) > 64) return "email address local phrase cannot exceed 64 characters";
  return hostnameError(parsed.slice(at + 1));
}

// Hostnames that pass every check below; anything else takes the slow path,
// which finds the reason.
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const VALID_HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`, "i");

function hostnameError(host: string): string | undefined {
  if (host.length <= 253 && VALID_HOSTNAME.test(host)) return undefined;
  const s = (host.endsWith(".") ? host.slice(0, -1) : host).toLowerCase();
  if (utf8Length(host) > 253) return "hostname cannot exceed 253 characters";
  for (const part of s.split(".")) {
    const length = utf8Length(part);
    if (length === 0 || length > 63) return "hostname part must be non-empty and cannot exceed 63 characters";
    if (part.startsWith("-")) return "hostname parts cannot begin with hyphens";
    if (part.endsWith("-")) return "hostname parts cannot end with hyphens";
    for (const ch of part) {
      if (!((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") || ch === "-")) {
        return `hostname parts can only contain alphanumeric characters or hyphens, got ${goQuote(ch)}`;
      }
    }
  }
  return undefined;
}

interface MailError {
  readonly error: string;
}
interface Cursor {
  s: string;
}
const mailError = (text: string): MailError => ({ error: `mail: ${text}` });
const failed = (x: unknown): x is MailError => typeof x === "object" && x !== null && "error" in x;

const SPECIALS = '()<>[]:;@\\,"';
const isVchar = (ch: string) => (ch >= "!" && ch <= "~") || (ch.codePointAt(0) as number) >= 0x80;
const isAtext = (ch: string, dot: boolean) => (ch === "." ? dot : !SPECIALS.includes(ch) && isVchar(ch));
const isWsp = (ch: string) => ch === " " || ch === "\t";

function skipSpace(p: Cursor): void {
  let i = 0;
  while (i < p.s.length && isWsp(p.s.charAt(i))) i++;
  if (i > 0) p.s = p.s.slice(i);
}

function consume(p: Cursor, ch: string): boolean {
  if (!p.s.startsWith(ch)) return false;
  p.s = p.s.slice(1);
  return true;
}

/** Returns the bare address ("local@domain") or Go's error text. */
function parseMailAddress(input: string): string | MailError {
  const p: Cursor = { s: input };
  const addresses = parseAddressList(p, true);
  if (failed(addresses)) return addresses;
  if (!skipComments(p)) return mailError("misformatted parenthetical comment");
  if (p.s !== "") return mailError(`expected single address, got ${goQuote(p.s)}`);
  if (addresses.length === 0) return mailError("empty group");
  if (addresses.length > 1) return mailError("group with multiple addresses");
  return addresses[0] as string;
}

function parseAddressList(p: Cursor, allowGroup: boolean): string[] | MailError {
  skipSpace(p);
  if (p.s === "") return mailError("no address");
  // A bare addr-spec is tried first; otherwise "display name <addr-spec>".
  const start = p.s;
  const spec = consumeAddrSpec(p);
  if (!failed(spec)) {
    skipSpace(p);
    if (consume(p, "(") && !skipCommentBody(p)) return mailError("misformatted parenthetical comment");
    return [spec];
  }
  p.s = start;
  let displayName = "";
  if (!p.s.startsWith("<")) {
    const phrase = consumePhrase(p);
    if (failed(phrase)) return phrase;
    displayName = phrase;
  }
  skipSpace(p);
  if (allowGroup && consume(p, ":")) return consumeGroup(p);
  if (!consume(p, "<")) {
    const plain = [...displayName].every((ch) => isAtext(ch, true));
    return mailError(plain ? "missing '@' or angle-addr" : "no angle-addr");
  }
  const inner = consumeAddrSpec(p);
  if (failed(inner)) return inner;
  if (!consume(p, ">")) return mailError("unclosed angle-addr");
  return [inner];
}

function consumeGroup(p: Cursor): string[] | MailError {
  const group: string[] = [];
  skipSpace(p);
  if (consume(p, ";")) return skipComments(p) ? group : mailError("misformatted parenthetical comment");
  for (;;) {
    skipSpace(p);
    const members = parseAddressList(p, false);
    if (failed(members)) return members;
    group.push(...members);
    if (!skipComments(p)) return mailError("misformatted parenthetical comment");
    if (consume(p, ";")) return skipComments(p) ? group : mailError("misformatted parenthetical comment");
    if (!consume(p, ",")) return mailError("expected comma");
  }
}

function consumeAddrSpec(p: Cursor): string | MailError {
  const start = p.s;
  const result = addrSpec(p);
  if (failed(result)) p.s = start;
  return result;
}

function addrSpec(p: Cursor): string | MailError {
  skipSpace(p);
  if (p.s === "") return mailError("no addr-spec");
  let local: string | MailError;
  if (p.s.startsWith('"')) {
    // Go reports any failure inside the quotes as an empty quoted string.
    local = consumeQuoted(p);
    if (failed(local) || local === "") local = mailError("empty quoted string in addr-spec");
  } else {
    local = consumeAtom(p, true, false);
  }
  if (failed(local)) return local;
  if (!consume(p, "@")) return mailError("missing @ in addr-spec");
  skipSpace(p);
  if (p.s === "") return mailError("no domain in addr-spec");
  const domain = p.s.startsWith("[") ? consumeDomainLiteral(p) : consumeAtom(p, true, false);
  if (failed(domain)) return domain;
  return `${local}@${domain}`;
}

function consumeAtom(p: Cursor, dot: boolean, permissive: boolean): string | MailError {
  let i = 0;
  for (const ch of p.s) {
    if (!isAtext(ch, dot)) break;
    i += ch.length;
  }
  if (i === 0) return mailError("invalid string");
  const atom = p.s.slice(0, i);
  p.s = p.s.slice(i);
  if (!permissive) {
    if (atom.startsWith(".")) return mailError("leading dot in atom");
    if (atom.includes("..")) return mailError("double dot in atom");
    if (atom.endsWith(".")) return mailError("trailing dot in atom");
  }
  return atom;
}

function consumeQuoted(p: Cursor): string | MailError {
  let text = "";
  let escaped = false;
  let i = 1;
  for (;;) {
    const cp = p.s.codePointAt(i);
    if (cp === undefined) return mailError("unclosed quoted-string");
    const ch = String.fromCodePoint(cp);
    if (escaped) {
      if (!isVchar(ch) && !isWsp(ch)) return mailError(`bad character in quoted-string: ${goQuote(ch, "'")}`);
      text += ch;
      escaped = false;
    } else if ((isVchar(ch) && ch !== '"' && ch !== "\\") || isWsp(ch)) {
      text += ch;
    } else if (ch === '"') {
      break;
    } else if (ch === "\\") {
      escaped = true;
    } else {
      return mailError(`bad character in quoted-string: ${goQuote(ch, "'")}`);
    }
    i += ch.length;
  }
  p.s = p.s.slice(i + 1);
  return text;
}

function consumeDomainLiteral(p: Cursor): string | MailError {
  let text = "";
  for (const ch of p.s.slice(1)) {
    if (ch === "]") {
      p.s = p.s.slice(text.length + 2);
      if (isIP(text) === 0) return mailError(`invalid IP address in domain-literal: ${goQuote(text)}`);
      return `[${text}]`;
    }
    if (ch === "[" || ch === "\\" || !isVchar(ch)) return mailError(`bad character in domain-literal: ${goQuote(ch, "'")}`);
    text += ch;
  }
  return mailError("unclosed domain-literal");
}

function consumePhrase(p: Cursor): string | MailError {
  const words: string[] = [];
  let error: MailError | undefined;
  for (;;) {
    if (words.length > 0 && !skipComments(p)) return mailError("misformatted parenthetical comment");
    skipSpace(p);
    if (p.s === "") break;
    const word = p.s.startsWith('"') ? consumeQuoted(p) : checkCharset(consumeAtom(p, true, true));
    if (failed(word)) {
      error = word;
      break;
    }
    words.push(word);
  }
  if (error !== undefined && words.length === 0) return mailError(`missing word in phrase: ${error.error}`);
  return words.join(" ");
}

// Go decodes RFC 2047 words in display names and fails on charsets it lacks;
// the decoded text itself is discarded here, so only that failure matters.
const ENCODED_WORD = /^=\?([^?]+)\?[bBqQ]\?[^?]*\?=$/;
const KNOWN_CHARSETS = new Set(["utf-8", "iso-8859-1", "us-ascii"]);

function checkCharset(word: string | MailError): string | MailError {
  if (failed(word)) return word;
  const charset = ENCODED_WORD.exec(word)?.[1];
  if (charset === undefined || KNOWN_CHARSETS.has(charset.toLowerCase())) return word;
  return { error: `charset not supported: ${goQuote(charset)}` };
}

/** Skips white space and (nested) comments; false if a comment is unclosed. */
function skipComments(p: Cursor): boolean {
  skipSpace(p);
  while (consume(p, "(")) {
    if (!skipCommentBody(p)) return false;
    skipSpace(p);
  }
  return true;
}

/** Consumes a comment whose "(" is already consumed; false if it never closes. */
function skipCommentBody(p: Cursor): boolean {
  let depth = 1;
  let i = 0;
  while (i < p.s.length && depth > 0) {
    const ch = p.s.charAt(i);
    if (ch === "\\" && p.s.length - i > 1) i++;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    i++;
  }
  p.s = p.s.slice(i);
  return depth === 0;
}
