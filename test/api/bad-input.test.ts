import { connect, constants } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { rejectionOf, seedUser } from "../support/users.js";

const MAX_BYTES = 2048;
const UNLOCK_PATH = "/zitadel.management.v1.ManagementService/UnlockUser";

let t: TestApp;
let lockedId: string;
let eventsBefore: number;
beforeAll(async () => {
  t = await startTestApp({ env: { LATCHKEY_MAX_REQUEST_BYTES: String(MAX_BYTES) } });
  lockedId = await seedUser(t, "locked");
  eventsBefore = (await t.app.store.readAll(0, 100_000)).length;
});
afterAll(async () => {
  // Nothing of all this bad input was written, and the user is still locked.
  expect((await t.app.store.readAll(0, 100_000)).length).toBe(eventsBefore);
  const user = await t.rest("GET", `/management/v1/users/${lockedId}`);
  expect(user.json.user.state).toBe("USER_STATE_LOCKED");
  await t.stop();
});

const post = (path: string, contentType: string, body: string | Buffer, extra: Record<string, string> = {}) =>
  fetch(t.baseUrl + path, { method: "POST", headers: { "content-type": contentType, ...t.auth(), ...extra }, body });

/** A raw gRPC call over HTTP/2 with a hand-made body. */
function rawGrpc(body: Buffer): Promise<{ status: string | undefined; message: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = connect(t.baseUrl);
    session.on("error", reject);
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: UNLOCK_PATH,
      "content-type": "application/grpc",
      te: "trailers",
      ...t.auth(),
    });
    let headers: Record<string, unknown> = {};
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (trailers) => (headers = { ...headers, ...trailers }));
    stream.on("data", () => {});
    stream.on("end", () => {
      session.close();
      resolve({ status: headers["grpc-status"] as string, message: headers["grpc-message"] as string | undefined });
    });
    stream.on("error", reject);
    stream.end(body);
  });
}

const grpcFrame = (payload: Buffer) => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
};

describe("bad input never crashes and never writes", () => {
  it("rejects malformed Connect JSON as invalid_argument", async () => {
    const response = await post(UNLOCK_PATH, "application/json", "{not json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("invalid_argument");
  });

  it("rejects Connect JSON with a wrong field type", async () => {
    const response = await post(UNLOCK_PATH, "application/json", JSON.stringify({ id: { nested: true } }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("invalid_argument");
  });

  // The lean path takes "application/json"; any other spelling of the type goes to the full protocol handler.
  it.each(["application/json", "application/json;charset=utf-8"])(
    "rejects Connect JSON (%s) that is not valid UTF-8 as REST does, instead of reading U+FFFD",
    async (contentType) => {
      const body = Buffer.concat([Buffer.from(`{"id":"${lockedId}`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      const response = await post(UNLOCK_PATH, contentType, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ code: "invalid_argument", message: "invalid request body: not valid UTF-8" });
      const rest = await post(`/management/v1/users/${lockedId}/_unlock`, contentType, body);
      expect(rest.status).toBe(400);
      expect(await rest.json()).toEqual({ code: 3, message: "invalid request body: not valid UTF-8" });
    },
  );

  // Undecodable protobuf is INTERNAL "parse binary: …", as grpc-go (and so ZITADEL) answers it.
  it("rejects malformed Connect protobuf", async () => {
    const response = await post(UNLOCK_PATH, "application/proto", Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    const error = (await response.json()) as { code: string; message: string };
    expect(error.code).toBe("internal");
    expect(error.message).toMatch(/^parse binary/);
  });

  it("rejects malformed gRPC protobuf", async () => {
    const { status, message } = await rawGrpc(grpcFrame(Buffer.from([0x0a, 0xff, 0xff, 0xff])));
    expect(status).toBe(String(Code.Internal));
    expect(decodeURIComponent(message ?? "")).toMatch(/^parse binary/);
  });

  it("rejects a truncated gRPC frame", async () => {
    const { status } = await rawGrpc(Buffer.from([0, 0, 0, 0, 50, 1, 2]));
    expect(status).not.toBe("0");
  });

  it("answers a gRPC or gRPC-web call of an unknown method with UNIMPLEMENTED in the wire's form, not a REST 404", async () => {
    for (const path of ["/zitadel.management.v1.ManagementService/Nope", "/x/y"]) {
      const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const session = connect(t.baseUrl);
        session.on("error", reject);
        const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
        let headers: Record<string, unknown> = {};
        stream.on("response", (h) => (headers = h));
        stream.on("trailers", (trailers) => (headers = { ...headers, ...trailers }));
        stream.resume();
        stream.on("end", () => {
          session.close();
          resolve(headers);
        });
        stream.end(grpcFrame(Buffer.alloc(0)));
      });
      expect(answer[":status"]).toBe(200);
      expect(answer["grpc-status"]).toBe(String(Code.Unimplemented));
      const web = await post(path, "application/grpc-web+proto", grpcFrame(Buffer.alloc(0)));
      expect(web.status).toBe(200);
      expect(web.headers.get("grpc-status")).toBe(String(Code.Unimplemented));
    }
  });

  it.each(["grpc", "grpc-web", "connect-binary"] as const)("refuses a timestamp beyond year 9999 over %s as INVALID_ARGUMENT, not INTERNAL", async (wire) => {
    const error = await rejectionOf(
      t.client(wire).addPersonalAccessToken({ userId: lockedId, expirationDate: { seconds: 1973479220516807n } }, { headers: t.auth() }),
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect(Code[(error as ConnectError).code]).toBe(Code[Code.InvalidArgument]);
    expect((error as ConnectError).rawMessage).toBe(
      "invalid AddPersonalAccessTokenRequest.ExpirationDate: embedded message failed validation | caused by: invalid Timestamp.Seconds: value must be inside range [-62135596800, 253402300799]",
    );
  });

  it("rejects an unsupported content type with 415", async () => {
    const response = await post(UNLOCK_PATH, "text/xml", "<id/>");
    expect(response.status).toBe(415);
  });

  it("answers an unknown REST path with 404 and a JSON error", async () => {
    const { status, json } = await t.rest("POST", "/management/v1/users/1/_explode", {});
    expect(status).toBe(404);
    expect(json).toEqual({ code: 5, message: "Not Found" });
  });

  it("answers a wrong HTTP method on a REST path with 405", async () => {
    const { status, json } = await t.rest("GET", `/management/v1/users/${lockedId}/_unlock`);
    expect(status).toBe(405);
    expect(json).toEqual({ code: 12, message: "Method Not Allowed" });
  });

  it("answers malformed REST JSON with 400", async () => {
    const { status, json } = await t.rest("POST", `/management/v1/users/${lockedId}/_lock`, "{nope");
    expect(status).toBe(400);
    expect(json.code).toBe(3);
  });

  it("answers a REST body that is not an object with 400", async () => {
    const { status, json } = await t.rest("POST", `/management/v1/users/${lockedId}/_lock`, "[1,2]");
    expect(status).toBe(400);
    expect(json.code).toBe(3);
  });

  it("answers an oversized REST body with 413", async () => {
    const { status, json } = await t.rest("POST", `/management/v1/users/${lockedId}/_lock`, { padding: "x".repeat(MAX_BYTES * 2) });
    expect(status).toBe(413);
    expect(json.code).toBe(8);
  });

  it.each(["grpc", "grpc-web", "connect-json", "connect-binary"] as const)("answers an oversized %s message with RESOURCE_EXHAUSTED", async (wire) => {
    const error = await rejectionOf(t.client(wire).lockUser({ id: "x".repeat(MAX_BYTES * 2) }, { headers: t.auth() }));
    expect(error).toBeInstanceOf(ConnectError);
    expect(Code[(error as ConnectError).code]).toBe(Code[Code.ResourceExhausted]);
  });

  it("answers a 201-character REST id with 400 and writes nothing", async () => {
    const { status } = await t.rest("POST", `/management/v1/users/${"9".repeat(201)}/_lock`, {});
    expect(status).toBe(400);
  });

  it("still serves good requests afterwards", async () => {
    const response = await t.client("grpc").getUserByID({ id: lockedId }, { headers: t.auth() });
    expect(response.user!.id).toBe(lockedId);
  });
});
