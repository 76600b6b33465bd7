import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementService, UnlockUserRequestSchema, UnlockUserResponseSchema } from "../../gen/zitadel/management_pb.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { LATCHKEY_CORS_ORIGINS: "https://console.example.com" } });
});
afterAll(() => t.stop());

/** One gRPC-web length-prefixed frame. */
function frame(flags: number, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flags, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

function parseFrames(body: Buffer): Array<{ flags: number; payload: Buffer }> {
  const frames = [];
  for (let offset = 0; offset < body.length; ) {
    const length = body.readUInt32BE(offset + 1);
    frames.push({ flags: body.readUInt8(offset), payload: body.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return frames;
}

describe("one port, every wire", () => {
  it("serves gRPC-web over HTTP/2 as well as HTTP/1.1", async () => {
    const id = await seedUser(t, "locked");
    const client = createClient(ManagementService, createGrpcWebTransport({ baseUrl: t.baseUrl, httpVersion: "2" }));
    const { details } = await client.unlockUser({ id }, { headers: t.auth() });
    expect(details!.sequence).toBeGreaterThan(0n);
  });

  it("serves application/grpc-web-text (base64 bodies)", async () => {
    const id = await seedUser(t, "locked");
    const body = frame(0, toBinary(UnlockUserRequestSchema, create(UnlockUserRequestSchema, { id }))).toString("base64");
    const response = await fetch(`${t.baseUrl}/zitadel.management.v1.ManagementService/UnlockUser`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web-text", "x-grpc-web": "1", ...t.auth() },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/grpc-web-text+proto");
    const frames = parseFrames(decodeBase64Segments(await response.text()));
    const message = fromBinary(UnlockUserResponseSchema, frames[0]!.payload);
    expect(message.details!.resourceOwner).toBe(t.app.instance.defaultOrgId);
    expect(frames[1]!.flags).toBe(0x80);
    expect(frames[1]!.payload.toString()).toMatch(/grpc-status: ?0/);
  });

  it("reports a gRPC-web-text error in the trailers with its details", async () => {
    const body = frame(0, toBinary(UnlockUserRequestSchema, create(UnlockUserRequestSchema, { id: "4711" }))).toString("base64");
    const response = await fetch(`${t.baseUrl}/zitadel.management.v1.ManagementService/UnlockUser`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web-text+proto", ...t.auth() },
      body,
    });
    const text = await response.text();
    const trailers = text ? parseFrames(decodeBase64Segments(text)).at(-1)!.payload.toString() : "";
    const status = response.headers.get("grpc-status") ?? /grpc-status: ?(\d+)/.exec(trailers)?.[1];
    const details = response.headers.get("grpc-status-details-bin") ?? /grpc-status-details-bin: ?(\S+)/.exec(trailers)?.[1];
    expect(status).toBe("5");
    expect(Buffer.from(details!, "base64").toString("latin1")).toContain("COMMAND-M0dos");
  });

  it("answers CORS preflights for allowed origins only", async () => {
    const preflight = (origin: string) =>
      fetch(`${t.baseUrl}/zitadel.management.v1.ManagementService/UnlockUser`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type,x-grpc-web" },
      });
    const allowed = await preflight("https://console.example.com");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://console.example.com");
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect(allowed.headers.get("access-control-allow-headers")).toMatch(/X-Grpc-Web/);
    const denied = await preflight("https://evil.example.com");
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("exposes gRPC-web status headers to allowed browser origins", async () => {
    const response = await fetch(`${t.baseUrl}/zitadel.management.v1.ManagementService/UnlockUser`, {
      method: "POST",
      headers: { origin: "https://console.example.com", "content-type": "application/grpc-web+proto", ...t.auth() },
      body: frame(0, toBinary(UnlockUserRequestSchema, create(UnlockUserRequestSchema, { id: "4711" }))),
    });
    await response.arrayBuffer();
    expect(response.headers.get("access-control-allow-origin")).toBe("https://console.example.com");
    expect(response.headers.get("access-control-expose-headers")).toMatch(/Grpc-Status-Details-Bin/);
  });

  it("serves Healthz without a token on every wire", async () => {
    for (const wire of ["grpc", "grpc-web", "connect-json", "connect-binary"] as const) {
      expect((await t.client(wire).healthz({})).$typeName).toBe("zitadel.management.v1.HealthzResponse");
    }
    const rest = await fetch(`${t.baseUrl}/management/v1/healthz`);
    expect(rest.status).toBe(200);
    expect(await rest.json()).toEqual({});
  });
});

/** A gRPC-web-text answer may come in pieces, each padded base64 on its own. */
function decodeBase64Segments(text: string): Buffer {
  return Buffer.concat((text.match(/[^=]+=*/g) ?? []).map((segment) => Buffer.from(segment, "base64")));
}
