import { describe, expect, it } from "vitest";
import { FieldDescriptorProtoSchema, StructSchema, TimestampSchema, UninterpretedOptionSchema } from "@bufbuild/protobuf/wkt";
import { createSchemaBuilder } from "../../../../src/api/openapi/schemas.js";

describe("JSON schemas of messages", () => {
  it("maps scalars as their JSON form: 64-bit integers as strings, bytes as base64", () => {
    const schemas = createSchemaBuilder();
    schemas.message(UninterpretedOptionSchema);
    const properties = schemas.definitions()["google.protobuf.UninterpretedOption"]!.properties as Record<string, unknown>;
    expect(properties).toMatchObject({
      identifierValue: { type: "string" },
      positiveIntValue: { type: "string", format: "uint64" },
      negativeIntValue: { type: "string", format: "int64" },
      doubleValue: { type: "number", format: "double" },
      stringValue: { type: "string", format: "byte" },
      name: { type: "array", items: { $ref: "#/definitions/google.protobuf.UninterpretedOption.NamePart" } },
    });
    expect(schemas.definitions()["google.protobuf.UninterpretedOption.NamePart"]!.properties).toMatchObject({
      namePart: { type: "string" },
      isExtension: { type: "boolean" },
    });
  });

  it("names enums by their values and uses lowerCamel JSON names", () => {
    const schemas = createSchemaBuilder();
    schemas.message(FieldDescriptorProtoSchema);
    const definitions = schemas.definitions();
    const properties = definitions["google.protobuf.FieldDescriptorProto"]!.properties as Record<string, unknown>;
    expect(properties.typeName).toEqual({ type: "string" });
    expect(properties.oneofIndex).toEqual({ type: "integer", format: "int32" });
    expect(properties.label).toEqual({ $ref: "#/definitions/google.protobuf.FieldDescriptorProto.Label" });
    expect(definitions["google.protobuf.FieldDescriptorProto.Label"]).toEqual({
      type: "string",
      enum: ["LABEL_OPTIONAL", "LABEL_REPEATED", "LABEL_REQUIRED"],
      default: "LABEL_OPTIONAL",
    });
  });

  it("writes well-known types inline, as their JSON looks", () => {
    const schemas = createSchemaBuilder();
    expect(schemas.message(TimestampSchema)).toEqual({ type: "string", format: "date-time" });
    expect(schemas.message(StructSchema)).toEqual({ type: "object" });
    expect(schemas.definitions()["google.protobuf.Timestamp"]).toBeUndefined();
  });

  it("always has the error body", () => {
    expect(createSchemaBuilder().definitions().rpcStatus).toBeDefined();
  });
});
