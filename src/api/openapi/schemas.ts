// JSON schemas (Swagger 2.0 dialect) for protobuf messages as their JSON
// mapping renders them: lowerCamel names, 64-bit integers as strings, enums as
// their names, Timestamps as RFC 3339 strings.
import { ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";

export type Schema = { [key: string]: unknown };

/** The error body of every failed REST call: `google.rpc.Status` in JSON. */
export const STATUS_DEFINITION = "rpcStatus";
export const ANY_DEFINITION = "protobufAny";

export interface SchemaBuilder {
  /** A $ref to the message's definition, or an inline schema for well-known types. */
  message(message: DescMessage): Schema;
  /** The schema of one field's value in JSON. */
  field(field: DescField): Schema;
  /** For path and query parameters: type/format/enum of a scalar-like field; undefined for messages. */
  simple(field: DescField): Schema | undefined;
  /** Every definition referenced so far, plus the error schema. */
  definitions(): Record<string, Schema>;
}

export const refTo = (name: string): Schema => ({ $ref: `#/definitions/${name}` });

export function createSchemaBuilder(): SchemaBuilder {
  const definitions: Record<string, Schema> = {
    [ANY_DEFINITION]: {
      type: "object",
      properties: { "@type": { type: "string" } },
      additionalProperties: {},
    },
    [STATUS_DEFINITION]: {
      type: "object",
      properties: {
        code: { type: "integer", format: "int32" },
        message: { type: "string" },
        details: { type: "array", items: refTo(ANY_DEFINITION) },
      },
    },
  };

  const enumRef = (desc: DescEnum): Schema => {
    if (!definitions[desc.typeName]) {
      const names = desc.values.map((value) => value.name);
      definitions[desc.typeName] = { type: "string", enum: names, default: names[0] };
    }
    return refTo(desc.typeName);
  };

  const message = (desc: DescMessage): Schema => {
    const known = wellKnown(desc.typeName);
    if (known) return known;
    if (!definitions[desc.typeName]) {
      const properties: Record<string, Schema> = {};
      // Placeholder first: recursive messages refer to themselves.
      definitions[desc.typeName] = { type: "object", properties };
      for (const f of desc.fields) properties[f.jsonName] = field(f);
    }
    return refTo(desc.typeName);
  };

  const field = (f: DescField): Schema => {
    switch (f.fieldKind) {
      case "scalar":
        return scalar(f.scalar);
      case "enum":
        return enumRef(f.enum);
      case "message":
        return message(f.message);
      case "list":
        return {
          type: "array",
          items: f.listKind === "scalar" ? scalar(f.scalar) : f.listKind === "enum" ? enumRef(f.enum) : message(f.message),
        };
      case "map":
        return {
          type: "object",
          additionalProperties: f.mapKind === "scalar" ? scalar(f.scalar) : f.mapKind === "enum" ? enumRef(f.enum) : message(f.message),
        };
    }
  };

  const simple = (f: DescField): Schema | undefined => {
    const single = (): Schema | undefined => {
      if (f.fieldKind === "scalar" || (f.fieldKind === "list" && f.listKind === "scalar")) return scalar(f.scalar!);
      const desc = f.fieldKind === "enum" || (f.fieldKind === "list" && f.listKind === "enum") ? f.enum : undefined;
      if (desc) return { type: "string", enum: desc.values.map((value) => value.name) };
      const msg = f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message") ? f.message : undefined;
      const known = msg ? wellKnown(msg.typeName) : undefined;
      return known && typeof known.type === "string" && known.type !== "object" && known.type !== "array" ? known : undefined;
    };
    const item = single();
    if (!item) return undefined;
    return f.fieldKind === "list" ? { type: "array", items: item, collectionFormat: "multi" } : item;
  };

  return { message, field, simple, definitions: () => definitions };
}

function scalar(type: ScalarType): Schema {
  switch (type) {
    case ScalarType.DOUBLE:
      return { type: "number", format: "double" };
    case ScalarType.FLOAT:
      return { type: "number", format: "float" };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: "string", format: "int64" };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: "string", format: "uint64" };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", format: "int64" };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BYTES:
      return { type: "string", format: "byte" };
  }
}

/** Well-known types have their own JSON forms. */
function wellKnown(typeName: string): Schema | undefined {
  switch (typeName) {
    case "google.protobuf.Timestamp":
      return { type: "string", format: "date-time" };
    case "google.protobuf.Duration":
      return { type: "string", example: "3600s" };
    case "google.protobuf.FieldMask":
      return { type: "string" };
    case "google.protobuf.Empty":
    case "google.protobuf.Struct":
      return { type: "object" };
    case "google.protobuf.ListValue":
      return { type: "array", items: {} };
    case "google.protobuf.Value":
      return {};
    case "google.protobuf.Any":
      return refTo(ANY_DEFINITION);
    case "google.protobuf.DoubleValue":
      return scalar(ScalarType.DOUBLE);
    case "google.protobuf.FloatValue":
      return scalar(ScalarType.FLOAT);
    case "google.protobuf.Int64Value":
      return scalar(ScalarType.INT64);
    case "google.protobuf.UInt64Value":
      return scalar(ScalarType.UINT64);
    case "google.protobuf.Int32Value":
      return scalar(ScalarType.INT32);
    case "google.protobuf.UInt32Value":
      return scalar(ScalarType.UINT32);
    case "google.protobuf.BoolValue":
      return scalar(ScalarType.BOOL);
    case "google.protobuf.StringValue":
      return scalar(ScalarType.STRING);
    case "google.protobuf.BytesValue":
      return scalar(ScalarType.BYTES);
    default:
      return undefined;
  }
}
