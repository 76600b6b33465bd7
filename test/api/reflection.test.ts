import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

const require = createRequire(import.meta.url);
const reflectionProtos = join(dirname(require.resolve("@grpc/reflection/package.json")), "build", "proto");
const buf = join(process.cwd(), "node_modules", ".bin", "buf");
const run = promisify(execFile);

type Reply = Record<string, any>;

/** A grpc-js client for one reflection version, built from @grpc/reflection's copy of the standard proto. */
function reflectionClient(version: "v1" | "v1alpha", port: number) {
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [reflectionProtos], oneofs: true });
  const Client = grpc.makeGenericClientConstructor(definition[`grpc.reflection.${version}.ServerReflection`] as any, "ServerReflection");
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, any>;
}

/** Sends the requests on one stream and collects one reply per request. */
async function ask(client: grpc.Client & Record<string, any>, requests: Reply[]): Promise<Reply[]> {
  const call = client.ServerReflectionInfo() as grpc.ClientDuplexStream<Reply, Reply>;
  const replies: Reply[] = [];
  const done = new Promise<void>((resolve, reject) => {
    call.on("data", (reply: Reply) => {
      replies.push(reply);
      if (replies.length === requests.length) {
        call.end();
        resolve();
      }
    });
    call.on("error", reject);
  });
  for (const request of requests) call.write(request);
  await done;
  return replies;
}

const decodeFiles = (reply: Reply) =>
  (reply.fileDescriptorResponse.fileDescriptorProto as Buffer[]).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));

/** Orders files so that each comes after its imports; fails on an import that is not there. */
function dependenciesFirst(files: readonly FileDescriptorProto[]): FileDescriptorProto[] {
  const byName = new Map(files.map((f) => [f.name, f]));
  const ordered: FileDescriptorProto[] = [];
  const visit = (file: FileDescriptorProto) => {
    if (ordered.includes(file)) return;
    for (const name of file.dependency) {
      const dependency = byName.get(name);
      if (!dependency) throw new Error(`${file.name} imports ${name}, which the answer lacks`);
      visit(dependency);
    }
    ordered.push(file);
  };
  files.forEach(visit);
  return ordered;
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe.each(["v1", "v1alpha"] as const)("grpc.reflection.%s over gRPC", (version) => {
  it("lists every service", async () => {
    const client = reflectionClient(version, t.port);
    const [reply] = await ask(client, [{ host: "h", listServices: "" }]);
    client.close();
    expect(reply!.validHost).toBe("h");
    const names = (reply!.listServicesResponse.service as Array<{ name: string }>).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "zitadel.management.v1.ManagementService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
      ]),
    );
  });

  it("serves a service's file with every file it imports, enough to build the schema", async () => {
    const client = reflectionClient(version, t.port);
    const [bySymbol, byMethod, byFileName] = await ask(client, [
      { fileContainingSymbol: "zitadel.management.v1.ManagementService" },
      { fileContainingSymbol: "zitadel.management.v1.ManagementService.UnlockUser" },
      { fileByFilename: "zitadel/management.proto" },
    ]);
    client.close();
    const files = decodeFiles(bySymbol!);
    expect(files[0]!.name).toBe("zitadel/management.proto");
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(["google/api/annotations.proto", "google/protobuf/descriptor.proto"]));
    expect(decodeFiles(byMethod!)[0]!.name).toBe("zitadel/management.proto");
    expect(decodeFiles(byFileName!)[0]!.name).toBe("zitadel/management.proto");

    // Complete: a registry built from the answer alone resolves every import and type.
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: dependenciesFirst(files) }));
    const service = registry.getService("zitadel.management.v1.ManagementService")!;
    const unlock = service.methods.find((m) => m.name === "UnlockUser")!;
    expect(unlock.input.typeName).toBe("zitadel.management.v1.UnlockUserRequest");
    expect(unlock.input.fields.map((f) => f.jsonName)).toContain("id");
  });

  it("finds extensions by number and lists extension numbers of a type", async () => {
    const client = reflectionClient(version, t.port);
    const [file, numbers] = await ask(client, [
      { fileContainingExtension: { containingType: "google.protobuf.MethodOptions", extensionNumber: 72295728 } },
      { allExtensionNumbersOfType: "google.protobuf.MethodOptions" },
    ]);
    client.close();
    expect(decodeFiles(file!)[0]!.name).toBe("google/api/annotations.proto");
    expect(numbers!.allExtensionNumbersResponse.baseTypeName).toBe("google.protobuf.MethodOptions");
    expect(numbers!.allExtensionNumbersResponse.extensionNumber).toEqual(expect.arrayContaining([50000, 72295728]));
  });

  it("answers an unknown name with NOT_FOUND and keeps the stream open", async () => {
    const client = reflectionClient(version, t.port);
    const [missing, next] = await ask(client, [{ fileContainingSymbol: "no.such.Thing" }, { fileByFilename: "nope.proto" }]);
    client.close();
    expect(missing!.errorResponse).toMatchObject({ errorCode: grpc.status.NOT_FOUND });
    expect(missing!.originalRequest.fileContainingSymbol).toBe("no.such.Thing");
    expect(next!.errorResponse).toMatchObject({ errorCode: grpc.status.NOT_FOUND });
  });
});

describe("buf curl without proto files", () => {
  const base = () => `http://127.0.0.1:${t.port}`;

  it.each(["grpc-v1", "grpc-v1alpha"])("lists every method through reflection (%s)", async (protocol) => {
    const { stdout } = await run(buf, ["curl", "--http2-prior-knowledge", "--reflect-protocol", protocol, "--list-methods", base()]);
    const methods = stdout.trim().split("\n");
    expect(methods).toEqual(
      expect.arrayContaining([
        "zitadel.management.v1.ManagementService/UnlockUser",
        "zitadel.management.v1.ManagementService/GetUserByID",
        "grpc.health.v1.Health/Watch",
      ]),
    );
  });

  it("calls a method, learning its schema through reflection", async () => {
    const { stdout } = await run(buf, [
      "curl",
      "--http2-prior-knowledge",
      "--protocol",
      "grpc",
      "-H",
      `Authorization: Bearer ${t.pat}`,
      "-d",
      JSON.stringify({ id: t.app.instance.created!.adminUserId }),
      `${base()}/zitadel.management.v1.ManagementService/GetUserByID`,
    ]);
    expect(JSON.parse(stdout).user).toMatchObject({ userName: "latchkey-admin", state: "USER_STATE_ACTIVE" });
  });
});
