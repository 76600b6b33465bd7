/**
 * Validation plans: one check per message type, built once from its descriptor
 * and cached, in the order PGV's generated Go code checks fields.
 */
import { getOption, hasOption, ScalarType } from "@bufbuild/protobuf";
import type { DescEnum, DescField, DescMessage, DescOneof } from "@bufbuild/protobuf";
import type { FieldRules, RepeatedRules } from "../../../gen/validate/validate_pb.js";
import { required as oneofRequired, rules as fieldRules } from "../../../gen/validate/validate_pb.js";
import { goFieldName, goTypeName } from "./go-names.js";
import {
  boolRule,
  both,
  bytesRule,
  durationRule,
  enumRule,
  firstOf,
  is64Bit,
  itemCountRule,
  misplaced,
  rangeRule,
  storableRule,
  stringRule,
  uint32Bounds,
  uint64Bounds,
  WRAPPERS,
} from "./rules.js";
import type { Rule } from "./rules.js";
import type { BoolRules, BytesRules, DurationRules, EnumRules, StringRules, UInt32Rules, UInt64Rules } from "../../../gen/validate/validate_pb.js";

/** Message fields by local name; generated messages are plain objects. */
export type Fields = Record<string, unknown>;
/** Full violation text for a message, or undefined. */
export type Check = (message: Fields) => string | undefined;
/** What a field or a list/map element holds. */
interface ValueType {
  readonly scalar: ScalarType | undefined;
  readonly enum: DescEnum | undefined;
  readonly message: DescMessage | undefined;
}

// null: nothing to check for this type (and nothing below it).
const plans = new WeakMap<DescMessage, Check | null>();

export function planFor(schema: DescMessage): Check | null {
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
  return type.fields.some((f) => hasOption(f, fieldRules) || is64Bit(f.scalar)) || type.oneofs.some((o) => getOption(o, oneofRequired));
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
  const rule = valueRule(field, field, fr, false);
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
    const rule = valueRule(field, field, rulesOf(field), false);
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
  const item = valueRule(field, field, rr?.items, true);
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
function valueRule(field: DescField, type: ValueType, fr: FieldRules | undefined, inList: boolean): Rule | undefined {
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
