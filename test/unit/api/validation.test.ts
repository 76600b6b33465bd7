import { create, createFileRegistry, setExtension } from "@bufbuild/protobuf";
import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  OneofOptionsSchema,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import type { UnaryRequest } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { FieldRulesSchema, file_validate_validate, required, rules } from "../../../gen/validate/validate_pb.js";
import {
  AddHumanUserRequestSchema,
  AddMachineUserRequestSchema,
  HealthzRequestSchema,
  ImportHumanUserRequestSchema,
  ManagementService,
  UnlockUserRequestSchema,
  UnlockUserResponseSchema,
} from "../../../gen/zitadel/management_pb.js";
import { AccessTokenType } from "../../../gen/zitadel/user_pb.js";
import { createValidationInterceptor } from "../../../src/api/interceptors/validation.js";
import { validateMessage } from "../../../src/api/validation/validate.js";

const BETWEEN_1_200 = "value length must be between 1 and 200 runes, inclusive";

function humanInit() {
  return {
    userName: "jane",
    profile: { firstName: "Jane", lastName: "Doe" },
    email: { email: "jane@example.com" },
  };
}

function machineInit() {
  return { userName: "svc", name: "Service", accessTokenType: AccessTokenType.BEARER };
}

describe("validateMessage with the management API", () => {
  it("accepts messages without rules", () => {
    expect(validateMessage(HealthzRequestSchema, create(HealthzRequestSchema))).toBeUndefined();
  });

  describe("string length in runes", () => {
    const unlock = (id: string) => validateMessage(UnlockUserRequestSchema, create(UnlockUserRequestSchema, { id }));

    it("rejects an empty id", () => {
      expect(unlock("")).toBe(`invalid UnlockUserRequest.Id: ${BETWEEN_1_200}`);
    });

    it("accepts 1 and 200 characters", () => {
      expect(unlock("a")).toBeUndefined();
      expect(unlock("a".repeat(200))).toBeUndefined();
    });

    it("rejects 201 characters", () => {
      expect(unlock("a".repeat(201))).toBe(`invalid UnlockUserRequest.Id: ${BETWEEN_1_200}`);
    });

    it("counts code points, not UTF-16 units or bytes", () => {
      expect(unlock("ä".repeat(200))).toBeUndefined();
      expect(unlock("😀".repeat(200))).toBeUndefined();
      expect(unlock("😀".repeat(201))).toBe(`invalid UnlockUserRequest.Id: ${BETWEEN_1_200}`);
      expect(unlock("😀".repeat(100) + "a".repeat(101))).toBe(`invalid UnlockUserRequest.Id: ${BETWEEN_1_200}`);
    });

    it("words a max-only rule as 'at most'", () => {
      const msg = create(AddMachineUserRequestSchema, { ...machineInit(), description: "d".repeat(501) });
      expect(validateMessage(AddMachineUserRequestSchema, msg)).toBe("invalid AddMachineUserRequest.Description: value length must be at most 500 runes");
      msg.description = "d".repeat(500);
      expect(validateMessage(AddMachineUserRequestSchema, msg)).toBeUndefined();
    });
  });

  describe("embedded messages", () => {
    it("reports a missing required message", () => {
      const { profile: _, ...init } = humanInit();
      const msg = create(ImportHumanUserRequestSchema, init);
      expect(validateMessage(ImportHumanUserRequestSchema, msg)).toBe("invalid ImportHumanUserRequest.Profile: value is required");
    });

    it("checks fields in declaration order", () => {
      const { profile: _, ...init } = humanInit();
      const msg = create(ImportHumanUserRequestSchema, { ...init, userName: "" });
      expect(validateMessage(ImportHumanUserRequestSchema, msg)).toBe(`invalid ImportHumanUserRequest.UserName: ${BETWEEN_1_200}`);
    });

    it("wraps a nested violation with the Go name of the nested type", () => {
      const init = humanInit();
      const msg = create(AddHumanUserRequestSchema, { ...init, profile: { ...init.profile, firstName: "" } });
      expect(validateMessage(AddHumanUserRequestSchema, msg)).toBe(
        "invalid AddHumanUserRequest.Profile: embedded message failed validation | caused by: " +
          `invalid AddHumanUserRequest_Profile.FirstName: ${BETWEEN_1_200}`,
      );
    });

    it("validates each item of a repeated message field", () => {
      const msg = create(ImportHumanUserRequestSchema, {
        ...humanInit(),
        idps: [
          { configId: "c", externalUserId: "e" },
          { configId: "", externalUserId: "e" },
        ],
      });
      expect(validateMessage(ImportHumanUserRequestSchema, msg)).toBe(
        "invalid ImportHumanUserRequest.Idps[1]: embedded message failed validation | caused by: " +
          `invalid ImportHumanUserRequest_IDP.ConfigId: ${BETWEEN_1_200}`,
      );
    });

    it("accepts a complete import", () => {
      const msg = create(ImportHumanUserRequestSchema, {
        ...humanInit(),
        phone: { phone: "+41791234567" },
        idps: [{ configId: "c", externalUserId: "e" }],
      });
      expect(validateMessage(ImportHumanUserRequestSchema, msg)).toBeUndefined();
    });
  });

  it("checks a string prefix", () => {
    const msg = create(ImportHumanUserRequestSchema, { ...humanInit(), phone: { phone: "0791234567" } });
    expect(validateMessage(ImportHumanUserRequestSchema, msg)).toBe(
      "invalid ImportHumanUserRequest.Phone: embedded message failed validation | caused by: " +
        'invalid ImportHumanUserRequest_Phone.Phone: value does not have prefix "+"',
    );
  });

  describe("email addresses", () => {
    const emailError = (email: string) => validateMessage(AddHumanUserRequestSchema, create(AddHumanUserRequestSchema, { ...humanInit(), email: { email } }));
    const wrapped = (cause: string) =>
      "invalid AddHumanUserRequest.Email: embedded message failed validation | caused by: " +
      `invalid AddHumanUserRequest_Email.Email: value must be a valid email address | caused by: ${cause}`;

    it.each(["jane@example.com", "jane.doe+tag@sub.example.co", "Jane Doe <jane@example.com>", '"jane doe"@example.com'])("accepts %s", (email) => {
      expect(emailError(email)).toBeUndefined();
    });

    it.each([
      ["", "mail: no address"],
      ["not-an-email", "mail: missing '@' or angle-addr"],
      ["Jane Doe", "mail: no angle-addr"],
      ["jane@", "mail: missing '@' or angle-addr"],
      ["@example.com", "mail: missing word in phrase: mail: invalid string"],
      ["jane..doe@example.com", "mail: missing '@' or angle-addr"],
      ["jane@example.com extra", 'mail: expected single address, got "extra"'],
      ["Jane <jane@example.com", "mail: unclosed angle-addr"],
      ["jane@exa_mple.com", 'hostname parts can only contain alphanumeric characters or hyphens, got "_"'],
      ["jane@-example.com", "hostname parts cannot begin with hyphens"],
      ["jane@example..com", "mail: missing '@' or angle-addr"],
      ["jane@example.com.", "mail: missing '@' or angle-addr"],
      [`${"a".repeat(65)}@example.com`, "email address local phrase cannot exceed 64 characters"],
      [`jane@${"a".repeat(64)}.com`, "hostname part must be non-empty and cannot exceed 63 characters"],
      [`jane@${"abcdefghi.".repeat(25)}com`, "email addresses cannot exceed 254 characters"],
    ])("rejects %j", (email, cause) => {
      expect(emailError(email)).toBe(wrapped(cause));
    });
  });

  describe("enums and proto3 optional fields", () => {
    it("rejects an undefined enum value", () => {
      const msg = create(AddMachineUserRequestSchema, { ...machineInit(), accessTokenType: 99 as AccessTokenType });
      expect(validateMessage(AddMachineUserRequestSchema, msg)).toBe(
        "invalid AddMachineUserRequest.AccessTokenType: value must be one of the defined enum values",
      );
    });

    it("skips an unset optional field", () => {
      const msg = create(AddMachineUserRequestSchema, machineInit());
      expect(msg.userId).toBeUndefined();
      expect(validateMessage(AddMachineUserRequestSchema, msg)).toBeUndefined();
    });

    it("checks an optional field that is set, even to its zero value", () => {
      const msg = create(AddMachineUserRequestSchema, { ...machineInit(), userId: "" });
      expect(validateMessage(AddMachineUserRequestSchema, msg)).toBe(`invalid AddMachineUserRequest.UserId: ${BETWEEN_1_200}`);
      msg.userId = "id-1";
      expect(validateMessage(AddMachineUserRequestSchema, msg)).toBeUndefined();
    });
  });
});

// Rule kinds the management API does not use yet, on a descriptor built here.
describe("validateMessage with other rule kinds", () => {
  const Sample = sampleSchema();
  const valid = {
    code: "ab",
    pin: "1234",
    limit: 1,
    offset: 0n,
    kind: 1,
    tags: ["x"],
    outside: 3,
    nick: "n",
    choice: { case: "a", value: "x" },
  };
  const check = (init: Record<string, unknown>) => validateMessage(Sample, create(Sample, { ...valid, ...init }));

  it("accepts the valid base message", () => {
    expect(check({})).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ["min-only length", { code: "a" }, "invalid Sample.Code: value length must be at least 2 runes"],
    ["exact length", { pin: "123" }, "invalid Sample.Pin: value length must be 4 runes"],
    ["uint32 range, below", { limit: 0 }, "invalid Sample.Limit: value must be inside range (0, 100]"],
    ["uint32 range, top", { limit: 100 }, undefined],
    ["uint32 range, above", { limit: 101 }, "invalid Sample.Limit: value must be inside range (0, 100]"],
    ["uint32 outside range", { outside: 7 }, "invalid Sample.Outside: value must be outside range [5, 10]"],
    ["uint32 outside range, edge", { outside: 11 }, undefined],
    ["uint64 less than", { offset: 10n }, "invalid Sample.Offset: value must be less than 10"],
    ["enum not_in", { kind: 2 }, "invalid Sample.Kind: value must not be in list [KIND_B]"],
    ["enum defined_only", { kind: 7 }, "invalid Sample.Kind: value must be one of the defined enum values"],
    ["min_items", { tags: [] }, "invalid Sample.Tags: value must contain between 1 and 3 items, inclusive"],
    ["max_items", { tags: ["a", "b", "c", "d"] }, "invalid Sample.Tags: value must contain between 1 and 3 items, inclusive"],
    ["item rules", { tags: ["ok", "toolong"] }, "invalid Sample.Tags[1]: value length must be at most 5 runes"],
    ["wrapper, set", { nick: "" }, "invalid Sample.Nick: value length must be at least 1 runes"],
    ["wrapper, unset", { nick: undefined }, undefined],
    ["required oneof", { choice: { case: undefined } }, "invalid Sample.Choice: value is required"],
    [
      "oneof member message",
      { choice: { case: "b", value: { name: "" } } },
      "invalid Sample.B: embedded message failed validation | caused by: invalid Sample_Inner.Name: value length must be at least 1 runes",
    ],
    [
      "map values in key order",
      { extras: { b: { name: "" }, a: { name: "" } } },
      "invalid Sample.Extras[a]: embedded message failed validation | caused by: invalid Sample_Inner.Name: value length must be at least 1 runes",
    ],
    [
      "recursive types",
      { child: { ...valid, child: { ...valid, code: "" } } },
      "invalid Sample.Child: embedded message failed validation | caused by: " +
        "invalid Sample.Child: embedded message failed validation | caused by: " +
        "invalid Sample.Code: value length must be at least 2 runes",
    ],
    ["optional, set", { early: "" }, "invalid Sample.Early: value length must be at least 1 runes"],
    // PGV checks proto3 optional fields after plain fields and oneofs.
    ["optional after oneof", { early: "", choice: { case: undefined } }, "invalid Sample.Choice: value is required"],
  ])("%s", (_, init, expected) => {
    expect(check(init)).toBe(expected);
  });
});

describe("createValidationInterceptor", () => {
  const interceptor = createValidationInterceptor();

  function unaryRequest(message: Message): UnaryRequest {
    return {
      stream: false,
      message,
      method: ManagementService.method.unlockUser,
      service: ManagementService,
      requestMethod: "POST",
      url: "http://localhost/zitadel.management.v1.ManagementService/UnlockUser",
      signal: new AbortController().signal,
      header: new Headers(),
      contextValues: {} as UnaryRequest["contextValues"],
    } as unknown as UnaryRequest;
  }

  it("throws INVALID_ARGUMENT with the violation and no details", async () => {
    let called = false;
    const handler = interceptor(async () => {
      called = true;
      throw new Error("next must not run");
    });
    const error = await handler(unaryRequest(create(UnlockUserRequestSchema, { id: "" }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    const ce = error as ConnectError;
    expect(ce.code).toBe(Code.InvalidArgument);
    expect(ce.rawMessage).toBe(`invalid UnlockUserRequest.Id: ${BETWEEN_1_200}`);
    expect(ce.details).toEqual([]);
    expect(called).toBe(false);
  });

  it("passes valid requests on", async () => {
    const response = { stream: false } as unknown as Awaited<ReturnType<ReturnType<typeof interceptor>>>;
    const handler = interceptor(async () => response);
    await expect(handler(unaryRequest(create(UnlockUserRequestSchema, { id: "u1" })))).resolves.toBe(response);
  });

  it("answers over a transport before the handler runs", async () => {
    const seen: string[] = [];
    const transport = createRouterTransport(
      (router) => {
        router.service(ManagementService, {
          unlockUser(req) {
            seen.push(req.id);
            return create(UnlockUserResponseSchema);
          },
        });
      },
      { router: { interceptors: [interceptor] } },
    );
    const client = createClient(ManagementService, transport);

    expect((await client.unlockUser({ id: "u1" })).$typeName).toBe("zitadel.management.v1.UnlockUserResponse");
    const error = await client.unlockUser({ id: "" }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toBe(`invalid UnlockUserRequest.Id: ${BETWEEN_1_200}`);
    expect(error?.details).toEqual([]);
    expect(seen).toEqual(["u1"]);
  });
});

/** test.v1.Sample: one field per rule kind, built as a descriptor at run time. */
function sampleSchema(): DescMessage {
  const withRules = (init: MessageInitShape<typeof FieldRulesSchema>) => {
    const options = create(FieldOptionsSchema);
    setExtension(options, rules, create(FieldRulesSchema, init));
    return options;
  };
  const requiredOneof = create(OneofOptionsSchema);
  setExtension(requiredOneof, required, true);
  const opt = Label.OPTIONAL;
  const file = create(FileDescriptorProtoSchema, {
    name: "test/sample.proto",
    package: "test.v1",
    syntax: "proto3",
    dependency: ["validate/validate.proto", "google/protobuf/wrappers.proto"],
    enumType: [
      {
        name: "Kind",
        value: [
          { name: "KIND_UNSPECIFIED", number: 0 },
          { name: "KIND_A", number: 1 },
          { name: "KIND_B", number: 2 },
        ],
      },
    ],
    messageType: [
      {
        name: "Sample",
        field: [
          {
            name: "early",
            number: 13,
            type: Type.STRING,
            label: opt,
            proto3Optional: true,
            oneofIndex: 1,
            options: withRules({ type: { case: "string", value: { minLen: 1n } } }),
          },
          { name: "code", number: 1, type: Type.STRING, label: opt, options: withRules({ type: { case: "string", value: { minLen: 2n } } }) },
          {
            name: "pin",
            number: 2,
            type: Type.STRING,
            label: opt,
            options: withRules({ type: { case: "string", value: { minLen: 4n, maxLen: 4n } } }),
          },
          { name: "limit", number: 3, type: Type.UINT32, label: opt, options: withRules({ type: { case: "uint32", value: { gt: 0, lte: 100 } } }) },
          { name: "offset", number: 4, type: Type.UINT64, label: opt, options: withRules({ type: { case: "uint64", value: { lt: 10n } } }) },
          {
            name: "kind",
            number: 5,
            type: Type.ENUM,
            typeName: ".test.v1.Kind",
            label: opt,
            options: withRules({ type: { case: "enum", value: { notIn: [2], definedOnly: true } } }),
          },
          {
            name: "tags",
            number: 6,
            type: Type.STRING,
            label: Label.REPEATED,
            options: withRules({
              type: {
                case: "repeated",
                value: { minItems: 1n, maxItems: 3n, items: { type: { case: "string", value: { maxLen: 5n } } } },
              },
            }),
          },
          { name: "extras", number: 7, type: Type.MESSAGE, typeName: ".test.v1.Sample.ExtrasEntry", label: Label.REPEATED },
          {
            name: "nick",
            number: 8,
            type: Type.MESSAGE,
            typeName: ".google.protobuf.StringValue",
            label: opt,
            options: withRules({ type: { case: "string", value: { minLen: 1n } } }),
          },
          { name: "a", number: 9, type: Type.STRING, label: opt, oneofIndex: 0 },
          { name: "b", number: 10, type: Type.MESSAGE, typeName: ".test.v1.Sample.Inner", label: opt, oneofIndex: 0 },
          { name: "child", number: 11, type: Type.MESSAGE, typeName: ".test.v1.Sample", label: opt },
          { name: "outside", number: 12, type: Type.UINT32, label: opt, options: withRules({ type: { case: "uint32", value: { lt: 5, gt: 10 } } }) },
        ],
        oneofDecl: [{ name: "choice", options: requiredOneof }, { name: "_early" }],
        nestedType: [
          {
            name: "Inner",
            field: [{ name: "name", number: 1, type: Type.STRING, label: opt, options: withRules({ type: { case: "string", value: { minLen: 1n } } }) }],
          },
          {
            name: "ExtrasEntry",
            options: { mapEntry: true },
            field: [
              { name: "key", number: 1, type: Type.STRING, label: opt },
              { name: "value", number: 2, type: Type.MESSAGE, typeName: ".test.v1.Sample.Inner", label: opt },
            ],
          },
        ],
      },
    ],
  });
  const deps = new Map([
    [file_validate_validate.name + ".proto", file_validate_validate],
    [file_google_protobuf_wrappers.name + ".proto", file_google_protobuf_wrappers],
  ]);
  const registry = createFileRegistry(file, (name) => deps.get(name));
  const schema = registry.getMessage("test.v1.Sample");
  if (schema === undefined) throw new Error("test.v1.Sample missing from registry");
  return schema;
}
