import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { connect as http2Connect } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnlockUserRequestSchema } from "../../gen/zitadel/management_pb.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// Store-independent: runs once, on the default project.
const skip = process.env.TEST_STORE === "postgres";

const MAX_REQUEST_BYTES = 64 * 1024;
const UNLOCK = "/zitadel.management.v1.ManagementService/UnlockUser";

function frame(flags: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flags, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** The gRPC status of a gRPC-web-text answer: trailers in the (base64) body, or in the headers. */
function grpcStatusOf(headers: Record<string, unknown>, text: string): { status?: string; message?: string } {
  const body = Buffer.from(text, "base64");
  let trailers = "";
  for (let offset = 0; offset + 5 <= body.length; ) {
    const length = body.readUInt32BE(offset + 1);
    if (body[offset]! & 0x80) trailers = body.subarray(offset + 5, offset + 5 + length).toString();
    offset += 5 + length;
  }
  const status = (headers["grpc-status"] as string | undefined) ?? /grpc-status: ?(\d+)/.exec(trailers)?.[1];
  const message = (headers["grpc-message"] as string | undefined) ?? /grpc-message: ?(.*)/.exec(trailers)?.[1]?.trim();
  return { status, message: message === undefined ? undefined : decodeURIComponent(message) };
}

/**
 * Sends `chunks` of a request body one at a time and stops as soon as an
 * answer arrives: `sent` tells how much of the body the server needed.
 */
function sendUntilAnswered(
  t: TestApp,
  path: string,
  headers: Record<string, string>,
  chunks: Buffer[],
): Promise<{ response: IncomingMessage; body: string; sent: number; reset?: string }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    // A keep-alive client, like a browser: the server answers early and drains the rest.
    const agent = new Agent({ keepAlive: true });
    const req = httpRequest(`${t.baseUrl}${path}`, { method: "POST", headers, agent }, (response) => {
      answered = true;
      let body = "";
      response.setEncoding("latin1");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        resolve({ response, body, sent });
        req.destroy();
        agent.destroy();
      });
      response.on("error", () => resolve({ response, body, sent }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (!answered) resolve({ response: undefined as never, body: "", sent, reset: error.code ?? String(error) });
    });
    const next = () => {
      if (answered || req.destroyed) return;
      const chunk = chunks.shift();
      if (!chunk) {
        req.end();
        return;
      }
      sent += chunk.length;
      req.write(chunk, () => setTimeout(next, 5));
    };
    next();
    setTimeout(() => reject(new Error("no answer")), 15_000).unref();
  });
}

describe.skipIf(skip)("oversized and malformed request bodies", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LATCHKEY_MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES) } });
  });
  afterAll(() => t.stop());

  const textHeaders = (extra: Record<string, string> = {}) => ({ "content-type": "application/grpc-web-text", "x-grpc-web": "1", ...t.auth(), ...extra });

  it("refuses a gRPC-web-text body announced too large before reading it: RESOURCE_EXHAUSTED in gRPC-web framing", async () => {
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, "A");
    const { response, body, sent } = await sendUntilAnswered(t, UNLOCK, textHeaders({ "content-length": String(total) }), Array(256).fill(chunk));
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/grpc-web-text+proto");
    expect(grpcStatusOf(response.headers, body).status).toBe(String(Code.ResourceExhausted));
    expect(sent).toBeLessThan(total / 4);
  });

  it("refuses a streamed gRPC-web-text body as soon as its encoded size passes the limit", async () => {
    // A message of the largest size allowed, padded with line breaks (skipped by the decoder, counted by the limit).
    const prefix = Buffer.from([0, 0, 0, 0, 0, 0]);
    prefix.writeUInt32BE(MAX_REQUEST_BYTES, 1);
    const chunks = [Buffer.from(prefix.toString("base64")), ...Array(400).fill(Buffer.alloc(32 * 1024, "\n"))];
    const { response, body, sent } = await sendUntilAnswered(t, UNLOCK, textHeaders({ "transfer-encoding": "chunked" }), chunks);
    expect(response.statusCode).toBe(200);
    expect(grpcStatusOf(response.headers, body).status).toBe(String(Code.ResourceExhausted));
    expect(sent).toBeLessThan(2 * 1024 * 1024);
  });

  it("refuses a gRPC-web-text message announced too large from its prefix", async () => {
    const prefix = Buffer.from([0, 0, 0, 0, 0, 0]);
    prefix.writeUInt32BE(MAX_REQUEST_BYTES + 1, 1);
    const chunks = [Buffer.from(prefix.toString("base64")), ...Array(400).fill(Buffer.alloc(32 * 1024, "A"))];
    const { response, body, sent } = await sendUntilAnswered(t, UNLOCK, textHeaders({ "transfer-encoding": "chunked" }), chunks);
    expect(grpcStatusOf(response.headers, body).status).toBe(String(Code.ResourceExhausted));
    expect(sent).toBeLessThan(2 * 1024 * 1024);
  });

  it("answers INVALID_ARGUMENT to a gRPC-web-text body that is no base64", async () => {
    for (const text of ["!!!!", "AAAAAAE=AA*=", "A"]) {
      const response = await fetch(`${t.baseUrl}${UNLOCK}`, { method: "POST", headers: textHeaders(), body: text });
      expect(response.status).toBe(200);
      const status = grpcStatusOf(Object.fromEntries(response.headers), await response.text());
      expect([text, status.status]).toEqual([text, String(Code.InvalidArgument)]);
      expect(status.message).toMatch(/base64/);
    }
  });

  it("still serves gRPC-web-text in several base64 segments, with line breaks", async () => {
    const message = frame(0, toBinary(UnlockUserRequestSchema, create(UnlockUserRequestSchema, { id: "4711" })));
    const body = `${message.subarray(0, 4).toString("base64")}\r\n${message.subarray(4).toString("base64")}`;
    const response = await fetch(`${t.baseUrl}${UNLOCK}`, { method: "POST", headers: textHeaders(), body });
    expect(grpcStatusOf(Object.fromEntries(response.headers), await response.text()).status).toBe(String(Code.NotFound));
  });

  it("streams a gRPC-web-text answer message by message (a health watch)", async () => {
    const first = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${t.baseUrl}/grpc.health.v1.Health/Watch`, {
        method: "POST",
        headers: { "content-type": "application/grpc-web-text", "x-grpc-web": "1" },
      });
      req.on("response", (response) => {
        response.setEncoding("latin1");
        // The watch stays open: its first message must arrive without waiting for the end.
        response.once("data", (chunk: string) => {
          resolve(chunk);
          req.destroy();
        });
      });
      req.on("error", (error) => (req.destroyed ? undefined : reject(error)));
      req.end(frame(0, new Uint8Array(0)).toString("base64"));
      setTimeout(() => reject(new Error("no message within 3 s")), 3000).unref();
    });
    const bytes = Buffer.from(first, "base64");
    expect(bytes[0]).toBe(0); // a message frame, not the trailers
    expect(bytes.readUInt32BE(1)).toBe(bytes.length - 5);
  });

  it("answers 413 invalid_request to an oversized token form over HTTP/1.1, without resetting the connection", async () => {
    const form = `grant_type=client_credentials&client_id=x&client_secret=${"x".repeat(200 * 1024)}`;
    const chunks = [];
    for (let i = 0; i < form.length; i += 16 * 1024) chunks.push(Buffer.from(form.slice(i, i + 16 * 1024)));
    const { response, body, reset } = await sendUntilAnswered(
      t,
      "/oauth/v2/token",
      { "content-type": "application/x-www-form-urlencoded", "content-length": String(form.length) },
      chunks,
    );
    expect(reset).toBeUndefined();
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: "invalid_request" });
  });

  it("answers 413 invalid_request to an oversized token form over HTTP/2", async () => {
    const session = http2Connect(t.baseUrl);
    const answer = await new Promise<{ status: unknown; body: string }>((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ":path": "/oauth/v2/token", "content-type": "application/x-www-form-urlencoded" });
      let status: unknown;
      let body = "";
      stream.on("response", (headers) => (status = headers[":status"]));
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => (body += chunk));
      stream.on("end", () => resolve({ status, body }));
      stream.on("error", reject);
      stream.end(`grant_type=client_credentials&client_secret=${"x".repeat(200 * 1024)}`);
    });
    session.close();
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: "invalid_request" });
  });
});

describe.skipIf(skip)("a gRPC-web-text body at the default limit", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it("is decoded and refused without holding it many times over", async () => {
    // 5.5 MB of base64 (4 MiB decoded) that decodes to some 800 000 empty envelopes.
    const chunk = Buffer.alloc(256 * 1024, "A");
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const { response, body } = await sendUntilAnswered(
      t,
      "/zitadel.management.v1.ManagementService/Healthz",
      { "content-type": "application/grpc-web-text", "transfer-encoding": "chunked" },
      Array(21).fill(chunk),
    );
    clearInterval(sampler);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
    expect(response.statusCode).toBe(200);
    expect(grpcStatusOf(response.headers, body)).toEqual({ status: String(Code.InvalidArgument), message: expect.stringMatching(/one complete message/) });
  });
});
