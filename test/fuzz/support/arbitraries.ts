import { create, ScalarType, toBinary, toJson, type DescField, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import fc from "fast-check";

/**
 * Inputs for the fuzz suite: messages of a method's request type with random
 * but mostly plausible values (so that calls get past decoding and
 * validation), and mutations of their encodings (so that the decoders see
 * broken input too).
 */

export interface Plausible {
  /** Strings the server knows (ids of existing objects, edge cases), mixed into string fields. */
  readonly strings: readonly string[];
}

const MAX_DEPTH = 2;

/** A message of `schema`, with each field set or not. */
export function messageOf(schema: DescMessage, plausible: Plausible, depth = MAX_DEPTH): fc.Arbitrary<Message> {
  return initOf(schema, plausible, depth).map((init) => create(schema, init as never) as Message);
}

function initOf(schema: DescMessage, plausible: Plausible, depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (schema.typeName === "google.protobuf.Timestamp") {
    return fc.record({ seconds: fc.bigInt({ min: -62135596800n, max: 253402300799n }), nanos: fc.integer({ min: 0, max: 999_999_999 }) });
  }
  if (schema.typeName === "google.protobuf.Duration") {
    // The signs of seconds and nanos agree.
    return fc
      .record({ seconds: fc.bigInt({ min: -315576000000n, max: 315576000000n }), nanos: fc.integer({ min: 0, max: 999_999_999 }) })
      .map(({ seconds, nanos }) => ({ seconds, nanos: seconds < 0n ? -nanos : nanos }));
  }
  if (schema.typeName === "google.protobuf.Struct" || schema.typeName === "google.protobuf.Value" || schema.typeName === "google.protobuf.ListValue") {
    return fc.constant({});
  }
  const entries: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of schema.fields) {
    if (field.oneof !== undefined) continue;
    const value = fieldValue(field, plausible, depth);
    if (value) entries[field.localName] = value;
  }
  for (const oneof of schema.oneofs) {
    const cases = oneof.fields.flatMap((field) => {
      const value = fieldValue(field, plausible, depth);
      return value ? [value.map((v) => ({ case: field.localName, value: v }))] : [];
    });
    if (cases.length > 0) entries[oneof.localName] = fc.oneof(...cases);
  }
  return fc.record(entries, { requiredKeys: [] });
}

function fieldValue(field: DescField, plausible: Plausible, depth: number): fc.Arbitrary<unknown> | undefined {
  switch (field.fieldKind) {
    case "scalar":
      return scalarOf(field.scalar, plausible);
    case "enum":
      return enumOf(field.enum.values.map((v) => v.number));
    case "message":
      return depth > 0 ? initOf(field.message, plausible, depth - 1) : undefined;
    case "list":
      if (field.listKind === "scalar") return fc.array(scalarOf(field.scalar, plausible), { maxLength: 2 });
      if (field.listKind === "enum") return fc.array(enumOf(field.enum.values.map((v) => v.number)), { maxLength: 2 });
      return depth > 0 ? fc.array(initOf(field.message, plausible, depth - 1), { maxLength: 2 }) : undefined;
    case "map":
      if (field.mapKey !== ScalarType.STRING || field.mapKind !== "scalar") return undefined;
      return fc.dictionary(stringOf(plausible), scalarOf(field.scalar, plausible), { maxKeys: 3 });
  }
}

function enumOf(numbers: number[]): fc.Arbitrary<number> {
  return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...numbers) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 1000 }) });
}

export function stringOf(plausible: Plausible): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...plausible.strings) },
    { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9._@-]{1,20}$/) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  );
}

const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function scalarOf(scalar: ScalarType, plausible: Plausible): fc.Arbitrary<unknown> {
  switch (scalar) {
    case ScalarType.STRING:
      return stringOf(plausible);
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 32 });
    case ScalarType.DOUBLE:
      return fc.double();
    case ScalarType.FLOAT:
      return fc.float();
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.integer());
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 0xffffffff }));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, I64_MAX, U64_MAX), fc.bigInt({ min: 0n, max: U64_MAX }));
    default:
      return fc.oneof(fc.bigInt({ min: -5n, max: 1000n }), fc.constantFrom(I64_MIN, I64_MAX, 2n ** 53n), fc.bigInt({ min: I64_MIN, max: I64_MAX }));
  }
}

/** A byte string, changed or not: a flipped byte, cut short, bytes inserted, or replaced by noise. */
export function mutatedBytes(bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(bytes, fc.constantFrom("keep", "keep", "flip", "cut", "insert", "noise"), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 }))
    .map(([original, how, at, extra]) => {
      const data = Buffer.from(original);
      const i = data.length ? at % data.length : 0;
      switch (how) {
        case "flip":
          if (data.length) data[i] = data[i]! ^ (1 << (at % 8));
          return data;
        case "cut":
          return data.subarray(0, i);
        case "insert":
          return Buffer.concat([data.subarray(0, i), extra, data.subarray(i)]);
        case "noise":
          return Buffer.from(extra);
        default:
          return data;
      }
    });
}

/** A message's binary encoding, mostly intact. */
export function binaryOf(schema: DescMessage, plausible: Plausible): fc.Arbitrary<Uint8Array> {
  return mutatedBytes(messageOf(schema, plausible).map((message) => toBinary(schema, message)));
}

/** A message's JSON, changed or not: a value replaced, a key dropped or added. */
export function jsonOf(schema: DescMessage, plausible: Plausible): fc.Arbitrary<JsonValue> {
  return fc
    .tuple(
      messageOf(schema, plausible).map((message) => toJson(schema, message) as JsonValue),
      fc.constantFrom("keep", "keep", "keep", "replace", "drop", "add", "whole"),
      fc.nat(),
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>,
    )
    .map(([json, how, at, other]) => {
      if (how === "keep") return json;
      if (how === "whole") return other;
      const objects = objectsIn(json);
      const target = objects[at % objects.length]!;
      const keys = Object.keys(target);
      if (how === "add" || keys.length === 0) target[`x${at % 7}`] = other;
      else if (how === "drop") delete target[keys[at % keys.length]!];
      else target[keys[at % keys.length]!] = other;
      return json;
    });
}

function objectsIn(json: JsonValue, found: Record<string, JsonValue>[] = []): Record<string, JsonValue>[] {
  if (json !== null && typeof json === "object") {
    if (!Array.isArray(json)) found.push(json);
    for (const value of Object.values(json)) objectsIn(value as JsonValue, found);
  }
  if (found.length === 0) found.push({});
  return found;
}

/** A JSON request body: the (mutated) JSON, or raw text, or bytes that are not UTF-8. */
export function jsonBodyOf(schema: DescMessage, plausible: Plausible): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 8, arbitrary: jsonOf(schema, plausible).map((json) => Buffer.from(JSON.stringify(json))) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => Buffer.from(text)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          jsonOf(schema, plausible),
          fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from([0xc3, 0x28, ...b].map((x, i) => (i < 2 ? x : x | 0x80)))),
        )
        .map(([json, bad]) => {
          const text = JSON.stringify(json);
          const at = text.lastIndexOf('"');
          return at > 0 ? Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]) : Buffer.concat([Buffer.from(text), bad]);
        }),
    },
  );
}

/** A length-prefixed frame as gRPC and gRPC-web send it, with its flags and length prefix mostly right. */
export function framedOf(payload: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      payload,
      fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
      fc.oneof({ weight: 9, arbitrary: fc.constant<number | undefined>(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) }),
      fc.constantFrom("one", "one", "one", "one", "two", "cut", "empty"),
    )
    .map(([body, flags, length, shape]) => {
      const frame = Buffer.alloc(5 + body.length);
      frame[0] = flags;
      frame.writeUInt32BE(length ?? body.length, 1);
      frame.set(body, 5);
      if (shape === "two") return Buffer.concat([frame, frame]);
      if (shape === "cut") return frame.subarray(0, Math.min(frame.length, 3));
      if (shape === "empty") return Buffer.alloc(0);
      return frame;
    });
}

/** Values for the deadline headers: none mostly, valid ones, huge ones, garbage. */
export const grpcTimeoutOf = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.constantFrom("H", "M", "S", "m", "u", "n")).map(([n, unit]) => `${n}${unit}`) },
  { weight: 1, arbitrary: fc.constantFrom("2147484S", "99999999H", "1n", "0m", "-1S", "100000000S", "1x", "") },
);
export const connectTimeoutOf = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 ** 31 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom("9999999999", "99999999999", "0", "-5", "1.5", "x", "") },
);
