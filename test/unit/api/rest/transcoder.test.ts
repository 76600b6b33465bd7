import { request as httpRequest, createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import { connect as connectHttp2, createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { create, createFileRegistry, setExtension } from "@bufbuild/protobuf";
import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  MethodOptionsSchema,
  file_google_protobuf_timestamp,
} from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { http } from "../../../../gen/google/api/annotations_pb.js";
import { HttpRuleSchema } from "../../../../gen/google/api/http_pb.js";
import { ManagementService } from "../../../../gen/zitadel/management_pb.js";
import { Gender } from "../../../../gen/zitadel/user_pb.js";
import { CredentialsCheckErrorSchema, ErrorDetailSchema } from "../../../../gen/zitadel/message_pb.js";
import { buildRestRoutes } from "../../../../src/api/rest/http-rules.js";
import { createRestTranscoder } from "../../../../src/api/rest/transcoder.js";
import { createUnaryInvoker } from "../../../../src/server/unary/invoker.js";
import { kWire, type Wire } from "../../../../src/server/wire.js";

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

function send(base: string, method: string, path: string, init: { headers?: Record<string, string>; body?: string | string[] } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks = Array.isArray(init.body) ? init.body : init.body === undefined ? [] : [init.body];
    const headers: Record<string, string> = { ...init.headers };
    if (!Array.isArray(init.body) && init.body !== undefined && !("content-type" in headers)) {
      headers["content-type"] = "application/json";
    }
    const req = httpRequest(base + path, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    // Arrays are sent chunked, without a content-length.
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const changeDate = { seconds: 1_700_000_000n, nanos: 0 };
const details = { sequence: 42n, changeDate, resourceOwner: "org-1" };

describe("REST transcoder with ManagementService", () => {
  const calls: Array<{ method: string; input: unknown }> = [];
  const seenHeaders: Headers[] = [];
  const seenWires: Array<Wire | undefined> = [];
  let abortedSlowCall = false;

  // Runs like the server's interceptors would: sees every call, may refuse it.
  const recordHeaders: Interceptor = (next) => async (req) => {
    seenHeaders.push(new Headers(req.header));
    seenWires.push(req.contextValues.get(kWire));
    if (req.header.get("authorization") === "Bearer bad") {
      throw new ConnectError("Token is invalid (AUTH-7fs1e)", Code.Unauthenticated);
    }
    return next(req);
  };

  const invoker = createUnaryInvoker(
    (router) =>
      router.service(ManagementService, {
        healthz(input) {
          calls.push({ method: "Healthz", input });
          return {};
        },
        async getUserByID(input, ctx) {
          calls.push({ method: "GetUserByID", input });
          if (input.id === "slow") {
            await new Promise<void>((resolve) =>
              ctx.signal.addEventListener("abort", () => {
                abortedSlowCall = true;
                resolve();
              }),
            );
            return {};
          }
          throw new ConnectError("User could not be found (QUERY-Dfbg2)", Code.NotFound, undefined, [
            { desc: ErrorDetailSchema, value: { id: "QUERY-Dfbg2", message: "User could not be found" } },
          ]);
        },
        addHumanUser(input) {
          calls.push({ method: "AddHumanUser", input });
          return { userId: "u-new", details };
        },
        addMachineUser(input) {
          calls.push({ method: "AddMachineUser", input });
          return { userId: input.userId ?? "m-new", details };
        },
        lockUser(input) {
          calls.push({ method: "LockUser", input });
          if (input.id === "locked-out") {
            throw new ConnectError("Password invalid (COMMAND-3M0fs)", Code.InvalidArgument, undefined, [
              {
                desc: CredentialsCheckErrorSchema,
                value: { id: "COMMAND-3M0fs", message: "Password invalid", failedAttempts: 3 },
              },
              { desc: ErrorDetailSchema, value: { id: "COMMAND-3M0fs", message: "Password invalid" } },
            ]);
          }
          return { details };
        },
        unlockUser(input) {
          calls.push({ method: "UnlockUser", input });
          return { details };
        },
      }),
    [recordHeaders],
  );

  const routes = buildRestRoutes([{ service: ManagementService, prefix: "/management/v1" }]);

  let server: Server;
  let base: string;
  beforeAll(async () => {
    ({ server, base } = await listen(
      createRestTranscoder({
        routes,
        invoker,
        readMaxBytes: 1024,
        successCode: (method) => (method.name === "AddMachineUser" ? 201 : 200),
      }),
    ));
  });
  afterAll(() => close(server));
  afterEach(() => {
    calls.length = 0;
    seenHeaders.length = 0;
    seenWires.length = 0;
  });

  it("answers GET /management/v1/healthz with 200 {}", async () => {
    const reply = await send(base, "GET", "/management/v1/healthz");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(reply.text).toBe("{}");
    expect(calls.map((c) => c.method)).toEqual(["Healthz"]);
  });

  it("passes the path variable and renders the response as proto JSON", async () => {
    const reply = await send(base, "POST", "/management/v1/users/u-1/_unlock", { body: "{}" });
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(reply.text).toBe('{"details":{"sequence":"42","changeDate":"2023-11-14T22:13:20Z","resourceOwner":"org-1"}}');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: "UnlockUser", input: { id: "u-1" } });
  });

  it("accepts unknown fields, an empty body, and lets the path win over the body", async () => {
    const unknown = await send(base, "POST", "/management/v1/users/u-2/_lock", {
      body: JSON.stringify({ id: "from-body", notAField: { deep: [1, 2] } }),
    });
    expect(unknown.status).toBe(200);
    const empty = await send(base, "POST", "/management/v1/users/u-3/_lock", {
      headers: { "content-length": "0" },
    });
    expect(empty.status).toBe(200);
    expect(calls.map((c) => c.input)).toMatchObject([{ id: "u-2" }, { id: "u-3" }]);
  });

  it("percent-decodes path variables", async () => {
    await send(base, "POST", "/management/v1/users/a%20b%2Fc/_lock", { body: "{}" });
    expect(calls[0]).toMatchObject({ input: { id: "a b/c" } });
  });

  it("maps a nested JSON body, accepting proto and JSON field names", async () => {
    const reply = await send(base, "POST", "/management/v1/users/human", {
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({
        user_name: "alice",
        profile: { firstName: "Alice", last_name: "Doe", gender: "GENDER_FEMALE" },
        email: { email: "alice@example.com", isEmailVerified: true },
      }),
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      userId: "u-new",
      details: { sequence: "42", changeDate: "2023-11-14T22:13:20Z", resourceOwner: "org-1" },
    });
    expect(calls[0]).toMatchObject({
      method: "AddHumanUser",
      input: {
        userName: "alice",
        profile: { firstName: "Alice", lastName: "Doe", gender: Gender.FEMALE },
        email: { email: "alice@example.com", isEmailVerified: true },
      },
    });
  });

  it("uses the success code chosen per method", async () => {
    const reply = await send(base, "POST", "/management/v1/users/machine", {
      body: JSON.stringify({ userName: "bot", name: "Bot", userId: "m-7" }),
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ userId: "m-7" });
  });

  it("renders a ConnectError with its details, exactly as grpc-gateway does", async () => {
    const reply = await send(base, "GET", "/management/v1/users/missing");
    expect(reply.status).toBe(404);
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(reply.text).toBe(
      '{"code":5,"message":"User could not be found (QUERY-Dfbg2)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"QUERY-Dfbg2","message":"User could not be found"}]}',
    );
    expect(calls).toMatchObject([{ method: "GetUserByID", input: { id: "missing" } }]);
  });

  it("keeps several details in their original order", async () => {
    const reply = await send(base, "POST", "/management/v1/users/locked-out/_lock", { body: "{}" });
    expect(reply.status).toBe(400);
    expect(reply.text).toBe(
      '{"code":3,"message":"Password invalid (COMMAND-3M0fs)","details":[' +
        '{"@type":"type.googleapis.com/zitadel.v1.CredentialsCheckError","id":"COMMAND-3M0fs","message":"Password invalid","failedAttempts":3},' +
        '{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"COMMAND-3M0fs","message":"Password invalid"}]}',
    );
  });

  it("answers 401 from an interceptor with WWW-Authenticate and no details", async () => {
    const reply = await send(base, "GET", "/management/v1/users/u-1", {
      headers: { authorization: "Bearer bad" },
    });
    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe("Token is invalid (AUTH-7fs1e)");
    expect(reply.text).toBe('{"code":16,"message":"Token is invalid (AUTH-7fs1e)"}');
    expect(calls).toHaveLength(0);
  });

  it("forwards authorization, x-zitadel-*, accept-language and x-request-id only", async () => {
    await send(base, "GET", "/management/v1/healthz", {
      headers: {
        authorization: "Bearer token-1",
        "x-zitadel-orgid": "org-9",
        "accept-language": "de-CH",
        "x-request-id": "req-5",
        cookie: "session=secret",
        "x-other": "nope",
      },
    });
    expect(seenHeaders).toHaveLength(1);
    const seen = seenHeaders[0]!;
    expect(seen.get("authorization")).toBe("Bearer token-1");
    expect(seen.get("x-zitadel-orgid")).toBe("org-9");
    expect(seen.get("accept-language")).toBe("de-CH");
    expect(seen.get("x-request-id")).toBe("req-5");
    expect(seen.get("cookie")).toBeNull();
    expect(seen.get("x-other")).toBeNull();
  });

  it("marks its calls as REST for the interceptors", async () => {
    await send(base, "GET", "/management/v1/healthz");
    expect(seenWires).toEqual(["rest"]);
  });

  it("answers 404 for unknown paths without calling anything", async () => {
    for (const path of ["/management/v1/nothing", "/", "/management/v1/users/1/_lock/extra"]) {
      const reply = await send(base, "GET", path);
      expect(reply.status).toBe(404);
      expect(reply.headers["content-type"]).toBe("application/json");
      expect(reply.text).toBe('{"code":5,"message":"Not Found"}');
    }
    expect(calls).toHaveLength(0);
    expect(seenHeaders).toHaveLength(0);
  });

  it("answers 405 for a known path with another method", async () => {
    for (const [method, path] of [
      ["PUT", "/management/v1/users/u-1"],
      ["POST", "/management/v1/healthz"],
      ["GET", "/management/v1/users/u-1/_lock"],
    ] as const) {
      const reply = await send(base, method, path);
      expect(reply.status).toBe(405);
      expect(reply.text).toBe('{"code":12,"message":"Method Not Allowed"}');
    }
    expect(calls).toHaveLength(0);
  });

  it.each([
    ["malformed JSON", "{"],
    ["a JSON array", "[]"],
    ["a JSON string", '"x"'],
    ["null", "null"],
    ["a wrong field type", JSON.stringify({ userName: 5 })],
    ["a wrong nested type", JSON.stringify({ profile: "x" })],
    ["a boolean for an enum", JSON.stringify({ profile: { gender: true } })],
  ])("answers 400 for %s without calling the method", async (_name, body) => {
    const reply = await send(base, "POST", "/management/v1/users/human", { body });
    expect(reply.status).toBe(400);
    expect(reply.headers["content-type"]).toBe("application/json");
    const json = reply.json as { code: number; message: string };
    expect(Object.keys(json)).toEqual(["code", "message"]);
    expect(json.code).toBe(3);
    expect(json.message.length).toBeGreaterThan(0);
    expect(calls).toHaveLength(0);
    expect(seenHeaders).toHaveLength(0);
  });

  it("answers 400 for bytes that are not UTF-8", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(base + "/management/v1/users/human", { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(Buffer.from([0x7b, 0xff, 0x7d]));
    });
    expect(status).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it("reads any content type as JSON, like grpc-gateway (curl -d sends a form type)", async () => {
    const reply = await send(base, "POST", "/management/v1/users/human", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: JSON.stringify({ userName: "alice" }),
    });
    expect(reply.status).toBe(200);
    expect(calls.at(-1)).toMatchObject({ method: "AddHumanUser", input: { userName: "alice" } });
    const form = await send(base, "POST", "/management/v1/users/human", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "userName=alice",
    });
    expect(form.status).toBe(400);
    expect(form.json).toMatchObject({ code: 3 });
  });

  it("answers 413 for a body over the limit, declared or streamed", async () => {
    const big = JSON.stringify({ userName: "x".repeat(2000) });
    const declared = await send(base, "POST", "/management/v1/users/human", { body: big });
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ code: 8 });
    const streamed = await send(base, "POST", "/management/v1/users/human", {
      headers: { "content-type": "application/json" },
      body: [big.slice(0, 700), big.slice(700, 1400), big.slice(1400)],
    });
    expect(streamed.status).toBe(413);
    expect(streamed.json).toMatchObject({ code: 8 });
    expect(calls).toHaveLength(0);
    // The server keeps working afterwards.
    expect((await send(base, "GET", "/management/v1/healthz")).status).toBe(200);
  });

  it('ignores the query string for body "*" and unknown query parameters on GET', async () => {
    await send(base, "POST", "/management/v1/users/machine?userName=from-query", {
      body: JSON.stringify({ userName: "from-body", name: "n" }),
    });
    await send(base, "GET", "/management/v1/users/from-path?id=from-query&unknown=1");
    expect(calls.map((c) => c.input)).toMatchObject([{ userName: "from-body" }, { id: "from-path" }]);
  });

  it("serves HTTP/2 requests too", async () => {
    const h2server = createHttp2Server(createRestTranscoder({ routes, invoker, readMaxBytes: 1024 }));
    await new Promise<void>((resolve) => h2server.listen(0, "127.0.0.1", resolve));
    const { port } = h2server.address() as AddressInfo;
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    const h2send = (headers: Record<string, string>, body?: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const stream = session.request(headers);
        let status = 0;
        let text = "";
        stream.on("response", (h) => (status = Number(h[":status"])));
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => (text += chunk));
        stream.on("end", () => resolve({ status, text }));
        stream.on("error", reject);
        stream.end(body);
      });
    try {
      const ok = await h2send({ ":method": "POST", ":path": "/management/v1/users/h2/_unlock", "content-type": "application/json" }, "{}");
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.text)).toMatchObject({ details: { sequence: "42" } });
      const big = await h2send({ ":method": "POST", ":path": "/management/v1/users/human", "content-type": "application/json" }, "x".repeat(4096));
      expect(big.status).toBe(413);
      expect(calls.map((c) => c.input)).toMatchObject([{ id: "h2" }]);
    } finally {
      session.close();
      await new Promise<void>((resolve) => h2server.close(() => resolve()));
    }
  });

  it("cancels the call when the client goes away, and keeps serving", async () => {
    abortedSlowCall = false;
    await new Promise<void>((resolve) => {
      const req = httpRequest(base + "/management/v1/users/slow", { method: "GET" });
      req.on("error", () => resolve());
      req.end();
      const wait = setInterval(() => {
        if (calls.length > 0) {
          clearInterval(wait);
          req.destroy();
          resolve();
        }
      }, 5);
    });
    await expect.poll(() => abortedSlowCall).toBe(true);
    expect((await send(base, "GET", "/management/v1/healthz")).status).toBe(200);
  });
});

describe("REST transcoder with rule shapes the v1 protos do not use", () => {
  // Query parameters of many types, a body bound to one field and a
  // response_body, on a service described in memory.
  const T = FieldDescriptorProto_Type;
  const field = (name: string, number: number, type: FieldDescriptorProto_Type, typeName?: string, repeated = false) => ({
    name,
    number,
    jsonName: name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
    type,
    typeName,
    label: repeated ? FieldDescriptorProto_Label.REPEATED : FieldDescriptorProto_Label.OPTIONAL,
  });
  const rule = (init: MessageInitShape<typeof HttpRuleSchema>) => {
    const options = create(MethodOptionsSchema);
    setExtension(options, http, create(HttpRuleSchema, init));
    return options;
  };
  const method = (name: string, init: MessageInitShape<typeof HttpRuleSchema>) => ({
    name,
    inputType: ".test.query.Req",
    outputType: ".test.query.Res",
    options: rule(init),
  });
  const file = create(FileDescriptorProtoSchema, {
    name: "test/query.proto",
    package: "test.query",
    syntax: "proto3",
    dependency: ["google/protobuf/timestamp.proto"],
    enumType: [
      {
        name: "Color",
        value: [
          { name: "COLOR_UNSPECIFIED", number: 0 },
          { name: "COLOR_RED", number: 1 },
        ],
      },
    ],
    messageType: [
      {
        name: "Filter",
        field: [field("user_id", 1, T.STRING), field("created_after", 2, T.MESSAGE, ".google.protobuf.Timestamp")],
      },
      {
        name: "Req",
        field: [
          field("name", 1, T.STRING),
          field("limit", 2, T.UINT64),
          field("asc", 3, T.BOOL),
          field("tags", 4, T.STRING, undefined, true),
          field("color", 5, T.ENUM, ".test.query.Color"),
          field("filter", 6, T.MESSAGE, ".test.query.Filter"),
          field("ratio", 7, T.DOUBLE),
        ],
      },
      { name: "Res", field: [field("name", 1, T.STRING), field("tags", 2, T.STRING, undefined, true)] },
    ],
    service: [
      {
        name: "Query",
        method: [
          method("Get", { pattern: { case: "get", value: "/things/{name}" } }),
          method("List", { pattern: { case: "get", value: "/things" } }),
          method("Put", { pattern: { case: "post", value: "/things/{name}" }, body: "filter" }),
          method("Tags", { pattern: { case: "get", value: "/tags" }, responseBody: "tags" }),
        ],
      },
    ],
  });
  const registry = createFileRegistry(file, (name) => (name === "google/protobuf/timestamp.proto" ? file_google_protobuf_timestamp : undefined));
  const service = registry.getService("test.query.Query")!;
  const routes = buildRestRoutes([{ service, prefix: "" }]);

  let server: Server | undefined;
  afterEach(async () => {
    if (server) await close(server);
    server = undefined;
  });

  // An implementation of every method that records inputs and answers with `reply`.
  async function serve(reply: (input: Message) => MessageInitShape<DescMessage>) {
    const inputs: Message[] = [];
    const implementation = Object.fromEntries(
      service.methods.map((method) => [
        method.localName,
        (input: Message) => {
          inputs.push(input);
          return create(method.output, reply(input));
        },
      ]),
    );
    // The service is built at run time, so its implementation's type is too.
    const invoker = createUnaryInvoker((router) => router.service(service, implementation as never), []);
    const started = await listen(createRestTranscoder({ routes, invoker, readMaxBytes: 1 << 16 }));
    server = started.server;
    return { base: started.base, inputs };
  }

  it("maps query parameters of several types, dotted and repeated", async () => {
    const { base, inputs } = await serve(() => ({ name: "ok" }));
    const reply = await send(
      base,
      "GET",
      "/things/from-path?name=ignored&limit=25&asc=true&tags=a&tags=b%20c&color=COLOR_RED" +
        "&filter.user_id=u1&filter.createdAfter=2024-01-02T03:04:05Z&ratio=0.5&unknown=x&filter.nope=1",
    );
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ name: "ok" });
    expect(inputs[0]).toMatchObject({
      name: "from-path",
      limit: 25n,
      asc: true,
      tags: ["a", "b c"],
      color: 1,
      filter: { userId: "u1", createdAfter: { seconds: 1704164645n } },
      ratio: 0.5,
    });
  });

  it("accepts enum numbers and 0/1 booleans in the query", async () => {
    const { base, inputs } = await serve(() => ({}));
    expect((await send(base, "GET", "/things?color=1&asc=1")).status).toBe(200);
    expect(inputs[0]).toMatchObject({ color: 1, asc: true });
  });

  it.each([
    ["limit=abc", "a bad number"],
    ["asc=maybe", "a bad boolean"],
    ["name=a&name=b", "repeated values for a singular field"],
    ["filter.createdAfter=yesterday", "a bad timestamp"],
  ])("answers 400 for %s (%s)", async (query) => {
    const { base, inputs } = await serve(() => ({}));
    const reply = await send(base, "GET", "/things?" + query);
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ code: 3 });
    expect(inputs).toHaveLength(0);
  });

  it("parses a body bound to one field and fills the rest from the query", async () => {
    const { base, inputs } = await serve(() => ({}));
    const reply = await send(base, "POST", "/things/n1?limit=3&filter.user_id=ignored", {
      body: JSON.stringify({ userId: "u9" }),
    });
    expect(reply.status).toBe(200);
    expect(inputs[0]).toMatchObject({ name: "n1", limit: 3n, filter: { userId: "u9" } });
  });

  it("renders only the response_body field", async () => {
    const { base } = await serve(() => ({ name: "n", tags: ["x", "y"] }));
    expect((await send(base, "GET", "/tags")).text).toBe('["x","y"]');
  });

  it("answers 500 with a generic message when the method throws something else", async () => {
    const { base } = await serve(() => {
      throw new Error("socket exploded with secrets");
    });
    const reply = await send(base, "GET", "/things");
    expect(reply.status).toBe(500);
    expect(reply.text).toBe('{"code":13,"message":"An internal error occurred"}');
  });
});
