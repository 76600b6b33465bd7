/**
 * Our .proto files re-declare part of ZITADEL's Management API v1. Clients are
 * generated from ZITADEL's own files, so every message, enum and method we
 * declare must match ZITADEL's descriptor of the same name: the wire format,
 * the JSON names, the REST mapping, the permission and the validation rules.
 *
 * Every type in gen/zitadel (all folders) is checked, so new ones are covered as they
 * are added.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { clone, create, createFileRegistry, createRegistry, fromJson, getOption, hasOption, ScalarType, setExtension, toJson } from "@bufbuild/protobuf";
import type { DescEnum, DescField, DescFile, DescMessage, DescMethod, JsonValue, Registry } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { FieldOptionsSchema, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { http as theirHttp } from "@zitadel/proto/google/api/annotations_pb.js";
import { HttpRuleSchema as TheirHttpRuleSchema } from "@zitadel/proto/google/api/http_pb.js";
import { FieldRulesSchema as TheirFieldRulesSchema, required as theirRequired, rules as theirRules } from "@zitadel/proto/validate/validate_pb.js";
import { auth_option as theirAuthOption } from "@zitadel/proto/zitadel/options_pb.js";
import { describe, expect, it } from "vitest";
import { http as ourHttp } from "../../../gen/google/api/annotations_pb.js";
import { HttpRuleSchema as OurHttpRuleSchema } from "../../../gen/google/api/http_pb.js";
import { FieldRulesSchema as OurFieldRulesSchema, required as ourRequired, rules as ourRules } from "../../../gen/validate/validate_pb.js";
import type { FieldRules } from "../../../gen/validate/validate_pb.js";
import { file_zitadel_management } from "../../../gen/zitadel/management_pb.js";
import { file_zitadel_message } from "../../../gen/zitadel/message_pb.js";
import { file_zitadel_object } from "../../../gen/zitadel/object_pb.js";
import { auth_option as ourAuthOption, file_zitadel_options } from "../../../gen/zitadel/options_pb.js";
import { file_zitadel_user } from "../../../gen/zitadel/user_pb.js";

// --- loading both sides --------------------------------------------------------

const isFile = (value: unknown): value is DescFile => typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "file";

/** Every file descriptor exported by gen/zitadel (all folders), in packages zitadel.*. */
async function loadOurFiles(): Promise<DescFile[]> {
  const dir = fileURLToPath(new URL("../../../gen/zitadel/", import.meta.url));
  const files = new Set<DescFile>();
  const names = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((n) => n.endsWith("_pb.ts"))
    .sort();
  for (const name of names) {
    const module = (await import(pathToFileURL(`${dir}${name}`).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      if (isFile(value) && value.proto.package.startsWith("zitadel.")) files.add(value);
    }
  }
  return [...files];
}

/** ZITADEL's files of the same names, with everything they import. */
async function loadTheirRegistry(ours: DescFile[]): Promise<{ registry: Registry; missingFiles: string[] }> {
  const all = new Set<DescFile>();
  const add = (file: DescFile) => {
    if (all.has(file)) return;
    all.add(file);
    file.dependencies.forEach(add);
  };
  const missingFiles: string[] = [];
  for (const file of ours) {
    const specifier = `@zitadel/proto/${file.name}_pb.js`;
    const module = (await import(/* @vite-ignore */ specifier).catch(() => ({}))) as Record<string, unknown>;
    const theirs = Object.values(module).find((v): v is DescFile => isFile(v) && v.name === file.name);
    if (theirs === undefined) missingFiles.push(`${file.name}.proto`);
    else add(theirs);
  }
  return { registry: createRegistry(...all), missingFiles };
}

const ourFiles = await loadOurFiles();
const { registry: zitadel, missingFiles } = await loadTheirRegistry(ourFiles);

const ourTypes = ourFiles.flatMap((file) => [...nestedTypes(file)]);
const ourMessages = ourTypes.filter((t): t is DescMessage => t.kind === "message");
const ourEnums = ourTypes.filter((t): t is DescEnum => t.kind === "enum");
const ourMethods = ourTypes.flatMap((t) => (t.kind === "service" ? t.methods : []));

// --- comparison ------------------------------------------------------------------

/** What must agree for a field to read and write the same on the wire and in JSON. */
function fieldShape(f: DescField): Record<string, string | number | boolean | undefined> {
  return {
    name: f.name,
    number: f.number,
    jsonName: f.jsonName,
    kind: f.fieldKind,
    scalar: f.scalar === undefined ? undefined : ScalarType[f.scalar],
    elementKind: f.fieldKind === "list" ? f.listKind : f.fieldKind === "map" ? f.mapKind : undefined,
    mapKey: f.fieldKind === "map" ? ScalarType[f.mapKey] : undefined,
    packed: f.fieldKind === "list" ? f.packed : undefined,
    message: f.message?.typeName,
    enum: f.enum?.typeName,
    oneof: f.oneof?.name,
    proto3Optional: f.proto.proto3Optional,
  };
}

const show = (value: unknown) => (value === undefined ? "absent" : JSON.stringify(value));

/**
 * Differences between our FieldRules and ZITADEL's (as JSON). ZITADEL's rules are
 * read through our reduced schema, so a rule kind we lack is reported too.
 */
function diffRules(where: string, ours: FieldRules | undefined, theirs: JsonValue | undefined): string[] {
  const ourJson = ours === undefined ? undefined : toJson(OurFieldRulesSchema, ours);
  if (theirs === undefined) {
    const hasAny = ourJson !== undefined && !isDeepStrictEqual(ourJson, {});
    return hasAny ? [`${where}: validate.rules ${show(ourJson)} here, none in ZITADEL`] : [];
  }
  let expected: JsonValue;
  try {
    expected = toJson(OurFieldRulesSchema, fromJson(OurFieldRulesSchema, theirs));
  } catch (e) {
    return [`${where}: ZITADEL's validate.rules ${show(theirs)} use a rule our validate.proto cannot express (${String(e)})`];
  }
  return isDeepStrictEqual(ourJson ?? {}, expected) ? [] : [`${where}: validate.rules ${show(ourJson)} here, ${show(theirs)} in ZITADEL`];
}

function diffMessage(ours: DescMessage, theirs: DescMessage | undefined): string[] {
  const name = ours.typeName;
  if (theirs === undefined) return [`ZITADEL has no message ${name}`];
  const out: string[] = [];
  for (const field of ours.fields) {
    const where = `${name}.${field.name}`;
    const match = theirs.fields.find((f) => f.number === field.number);
    if (match === undefined) {
      out.push(`${where} = ${field.number}: ZITADEL has no field number ${field.number}`);
      continue;
    }
    const a = fieldShape(field);
    const b = fieldShape(match);
    for (const key of Object.keys(a)) {
      if (a[key] !== b[key]) out.push(`${where}: ${key} is ${show(a[key])} here, ${show(b[key])} in ZITADEL`);
    }
    out.push(
      ...diffRules(
        where,
        hasOption(field, ourRules) ? getOption(field, ourRules) : undefined,
        hasOption(match, theirRules) ? toJson(TheirFieldRulesSchema, getOption(match, theirRules)) : undefined,
      ),
    );
  }
  for (const field of theirs.fields) {
    if (!ours.fields.some((f) => f.number === field.number)) {
      out.push(`${name}: ZITADEL's field ${field.name} = ${field.number} is missing here`);
    }
  }
  for (const oneof of ours.oneofs) {
    const match = theirs.oneofs.find((o) => o.name === oneof.name);
    const a = getOption(oneof, ourRequired);
    const b = match === undefined ? false : getOption(match, theirRequired);
    if (a !== b) out.push(`${name}.${oneof.name}: validate.required is ${a} here, ${b} in ZITADEL`);
  }
  return out;
}

function diffEnum(ours: DescEnum, theirs: DescEnum | undefined): string[] {
  if (theirs === undefined) return [`ZITADEL has no enum ${ours.typeName}`];
  const a = new Map(ours.values.map((v) => [v.name, v.number]));
  const b = new Map(theirs.values.map((v) => [v.name, v.number]));
  const out: string[] = [];
  for (const [value, number] of a) {
    if (b.get(value) !== number) out.push(`${ours.typeName}.${value} = ${number} here, ${show(b.get(value))} in ZITADEL`);
  }
  for (const [value, number] of b) {
    if (!a.has(value)) out.push(`${ours.typeName}: ZITADEL's value ${value} = ${number} is missing here`);
  }
  return out;
}

function diffMethod(ours: DescMethod, zitadelTypes: Registry): string[] {
  const where = `${ours.parent.typeName}.${ours.name}`;
  const service = zitadelTypes.getService(ours.parent.typeName);
  const theirs = service?.methods.find((m) => m.name === ours.name);
  if (theirs === undefined) return [`ZITADEL has no method ${where}`];
  const out: string[] = [];
  const compare = (what: string, a: unknown, b: unknown) => {
    if (!isDeepStrictEqual(a, b)) out.push(`${where}: ${what} is ${show(a)} here, ${show(b)} in ZITADEL`);
  };
  compare("input", ours.input.typeName, theirs.input.typeName);
  compare("output", ours.output.typeName, theirs.output.typeName);
  compare("streaming", ours.methodKind, theirs.methodKind);
  // Whole HttpRule as JSON: verb and path, body, response_body, additional_bindings.
  compare(
    "google.api.http",
    hasOption(ours, ourHttp) ? toJson(OurHttpRuleSchema, getOption(ours, ourHttp)) : undefined,
    hasOption(theirs, theirHttp) ? toJson(TheirHttpRuleSchema, getOption(theirs, theirHttp)) : undefined,
  );
  const auth = (present: boolean, o: { permission: string; checkFieldName: string }) =>
    present ? { permission: o.permission, checkFieldName: o.checkFieldName } : undefined;
  compare(
    "zitadel.v1.auth_option",
    auth(hasOption(ours, ourAuthOption), getOption(ours, ourAuthOption)),
    auth(hasOption(theirs, theirAuthOption), getOption(theirs, theirAuthOption)),
  );
  return out;
}

// --- tests -----------------------------------------------------------------------

describe("our descriptors match ZITADEL's", () => {
  it("loads every generated zitadel file, and ZITADEL has each of them", () => {
    const names = ourFiles.map((f) => f.name);
    for (const file of [file_zitadel_management, file_zitadel_user, file_zitadel_object, file_zitadel_message, file_zitadel_options]) {
      expect(names).toContain(file.name);
    }
    expect(missingFiles).toEqual([]);
    expect(ourMessages.length).toBeGreaterThan(0);
    expect(ourEnums.length).toBeGreaterThan(0);
    expect(ourMethods.length).toBeGreaterThan(0);
  });

  describe("messages", () => {
    it.each(ourMessages.map((m) => [m.typeName, m] as const))("%s", (_, m) => {
      expect(diffMessage(m, zitadel.getMessage(m.typeName))).toEqual([]);
    });
  });

  describe("enums", () => {
    it.each(ourEnums.map((e) => [e.typeName, e] as const))("%s", (_, e) => {
      expect(diffEnum(e, zitadel.getEnum(e.typeName))).toEqual([]);
    });
  });

  describe("methods", () => {
    it.each(ourMethods.map((m) => [`${m.parent.typeName}.${m.name}`, m] as const))("%s", (_, m) => {
      expect(diffMethod(m, zitadel)).toEqual([]);
    });
  });
});

// The comparison must be able to fail: feed it altered copies of our descriptors.
describe("the comparison itself", () => {
  /** Our management.proto, changed by `edit`, as a fresh registry. */
  function alteredManagement(edit: (file: FileDescriptorProto) => void): Registry {
    const proto = clone(FileDescriptorProtoSchema, file_zitadel_management.proto);
    edit(proto);
    const deps = new Map(file_zitadel_management.dependencies.map((d) => [`${d.name}.proto`, d]));
    return createFileRegistry(proto, (name) => deps.get(name));
  }
  const message = (file: FileDescriptorProto, name: string) => {
    const found = file.messageType.find((m) => m.name === name);
    if (found === undefined) throw new Error(`no message ${name}`);
    return found;
  };
  const getMessage = (registry: Registry, name: string) => {
    const found = registry.getMessage(name);
    if (found === undefined) throw new Error(`no message ${name}`);
    return found;
  };

  it("reports different field sets", () => {
    const ours = getMessage(createRegistry(file_zitadel_management), "zitadel.management.v1.AddMachineUserRequest");
    const diffs = diffMessage(ours, zitadel.getMessage("zitadel.management.v1.AddHumanUserRequest"));
    expect(diffs).toContain('zitadel.management.v1.AddMachineUserRequest.name: name is "name" here, "profile" in ZITADEL');
    expect(diffs.some((d) => d.includes("kind is"))).toBe(true);
  });

  it("reports a changed number, JSON name and missing field", () => {
    const registry = alteredManagement((file) => {
      const fields = message(file, "AddHumanUserResponse").field;
      (fields[0] as { jsonName: string }).jsonName = "userID";
      (fields[1] as { number: number }).number = 9;
    });
    const diffs = diffMessage(
      getMessage(registry, "zitadel.management.v1.AddHumanUserResponse"),
      zitadel.getMessage("zitadel.management.v1.AddHumanUserResponse"),
    );
    expect(diffs).toEqual([
      'zitadel.management.v1.AddHumanUserResponse.user_id: jsonName is "userID" here, "userId" in ZITADEL',
      "zitadel.management.v1.AddHumanUserResponse.details = 9: ZITADEL has no field number 9",
      "zitadel.management.v1.AddHumanUserResponse: ZITADEL's field details = 2 is missing here",
    ]);
  });

  it("reports different validation rules", () => {
    const registry = alteredManagement((file) => {
      const id = message(file, "UnlockUserRequest").field[0];
      const options = create(FieldOptionsSchema);
      setExtension(options, ourRules, create(OurFieldRulesSchema, { type: { case: "string", value: { minLen: 1n, maxLen: 100n } } }));
      if (id !== undefined) id.options = options;
    });
    const diffs = diffMessage(getMessage(registry, "zitadel.management.v1.UnlockUserRequest"), zitadel.getMessage("zitadel.management.v1.UnlockUserRequest"));
    expect(diffs).toEqual([
      'zitadel.management.v1.UnlockUserRequest.id: validate.rules {"string":{"minLen":"1","maxLen":"100"}} here, ' +
        '{"string":{"minLen":"1","maxLen":"200"}} in ZITADEL',
    ]);
  });

  it("reports a ZITADEL rule our validate.proto cannot express", () => {
    const theirs = toJson(TheirFieldRulesSchema, create(TheirFieldRulesSchema, { type: { case: "string", value: { pattern: "^[a-z]+$" } } }));
    const diffs = diffRules("x.y", undefined, theirs);
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toContain("cannot express");
  });

  it("reports missing rules and extra rules", () => {
    const rules = create(OurFieldRulesSchema, { message: { required: true } });
    expect(diffRules("x.y", undefined, { message: { required: true } })).toHaveLength(1);
    expect(diffRules("x.y", rules, undefined)).toHaveLength(1);
    expect(diffRules("x.y", rules, { message: { required: true } })).toEqual([]);
  });

  it("reports different enum values", () => {
    const gender = createRegistry(file_zitadel_user).getEnum("zitadel.user.v1.Gender");
    if (gender === undefined) throw new Error("no enum Gender");
    expect(diffEnum(gender, zitadel.getEnum("zitadel.user.v1.AccessTokenType"))).toContain(
      "zitadel.user.v1.Gender.GENDER_UNSPECIFIED = 0 here, absent in ZITADEL",
    );
  });

  it("reports a different REST mapping and permission", () => {
    const registry = alteredManagement((file) => {
      const methods = file.service[0]?.method ?? [];
      const unlock = methods.find((m) => m.name === "UnlockUser");
      const get = methods.find((m) => m.name === "GetUserByID");
      if (unlock === undefined || get === undefined) throw new Error("no UnlockUser/GetUserByID");
      unlock.options = get.options;
    });
    const unlock = registry.getService("zitadel.management.v1.ManagementService")?.methods.find((m) => m.name === "UnlockUser");
    if (unlock === undefined) throw new Error("no UnlockUser");
    expect(diffMethod(unlock, zitadel)).toEqual([
      'zitadel.management.v1.ManagementService.UnlockUser: google.api.http is {"get":"/users/{id}"} here, ' +
        '{"post":"/users/{id}/_unlock","body":"*"} in ZITADEL',
      "zitadel.management.v1.ManagementService.UnlockUser: zitadel.v1.auth_option is " +
        '{"permission":"user.read","checkFieldName":""} here, {"permission":"user.write","checkFieldName":""} in ZITADEL',
    ]);
  });
});
