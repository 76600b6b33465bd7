import * as grpc from "@grpc/grpc-js";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { service as healthDefinition } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";

const MANAGEMENT = "zitadel.management.v1.ManagementService";

/** A grpc-js client built from grpc-health-check's own copy of the standard proto. */
function grpcJsHealthClient(port: number) {
  const Client = grpc.makeGenericClientConstructor(healthDefinition, "Health");
  return new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client & Record<string, any>;
}

function grpcJsCheck(client: grpc.Client & Record<string, any>, service: string): Promise<{ status: string }> {
  return new Promise((resolve, reject) =>
    client.check({ service }, (error: grpc.ServiceError | null, response: { status: string }) => (error ? reject(error) : resolve(response))),
  );
}

describe("HTTP probes", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it("answers /debug/healthz with the text ok", async () => {
    const response = await fetch(`${t.baseUrl}/debug/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("ok");
  });

  it("answers /debug/ready with the JSON string ok while the store answers", async () => {
    const response = await fetch(`${t.baseUrl}/debug/ready`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toBe("ok");
  });

  it("needs no token and allows only GET and HEAD", async () => {
    expect((await fetch(`${t.baseUrl}/debug/ready`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${t.baseUrl}/debug/ready`, { method: "POST" })).status).toBe(405);
  });
});

describe("grpc.health.v1.Health", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it.each(wires)("reports the server and every service as SERVING over %s", async (wire) => {
    const client = createClient(Health, t.transport(wire));
    expect((await client.check({ service: "" })).status).toBe(Status.SERVING);
    expect((await client.check({ service: MANAGEMENT })).status).toBe(Status.SERVING);
    expect((await client.check({ service: "grpc.reflection.v1.ServerReflection" })).status).toBe(Status.SERVING);
  });

  it("answers NOT_FOUND for a service it does not serve", async () => {
    const error = await createClient(Health, t.transport("grpc"))
      .check({ service: "no.such.Service" })
      .catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.NotFound);
  });

  it("lists every registered service, the API's included", async () => {
    const { statuses } = await createClient(Health, t.transport("connect-json")).list({});
    expect(Object.keys(statuses)).toEqual(
      expect.arrayContaining(["", MANAGEMENT, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection"]),
    );
    expect(Object.values(statuses).every((s) => s.status === Status.SERVING)).toBe(true);
  });

  it("works with grpc-js and the standard health proto", async () => {
    const client = grpcJsHealthClient(t.port);
    try {
      expect(await grpcJsCheck(client, "")).toEqual({ status: "SERVING" });
      expect(await grpcJsCheck(client, MANAGEMENT)).toEqual({ status: "SERVING" });
      const error = (await grpcJsCheck(client, "nope").catch((e: unknown) => e)) as grpc.ServiceError;
      expect(error.code).toBe(grpc.status.NOT_FOUND);
    } finally {
      client.close();
    }
  });

  it("sends SERVICE_UNKNOWN to a watch of an unknown service, and keeps it open", async () => {
    const abort = new AbortController();
    const stream = createClient(Health, t.transport("grpc")).watch({ service: "no.such.Service" }, { signal: abort.signal });
    const first = await stream[Symbol.asyncIterator]().next();
    expect(first.value?.status).toBe(Status.SERVICE_UNKNOWN);
    abort.abort();
  });
});

describe("readiness follows the store and the shutdown", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it("turns NOT_SERVING and 412 when the store stops answering, and tells watchers", async () => {
    const client = grpcJsHealthClient(t.port);
    const seen: string[] = [];
    const watch = client.watch({ service: "" }) as grpc.ClientReadableStream<{ status: string }>;
    watch.on("error", () => undefined);
    let first!: () => void;
    const firstOne = new Promise<void>((resolve) => (first = resolve));
    const firstTwo = new Promise<void>((resolve) =>
      watch.on("data", (message: { status: string }) => {
        seen.push(message.status);
        if (seen.length === 1) first();
        if (seen.length === 2) resolve();
      }),
    );
    await firstOne;
    expect(seen).toEqual(["SERVING"]);

    await t.app.store.close(); // the store no longer answers

    const ready = await fetch(`${t.baseUrl}/debug/ready`);
    expect(ready.status).toBe(412);
    expect(await ready.json()).toEqual({ error: "not ready: store unreachable" });
    await firstTwo;
    expect(seen).toEqual(["SERVING", "NOT_SERVING"]);
    expect((await createClient(Health, t.transport("connect-binary")).check({ service: MANAGEMENT })).status).toBe(Status.NOT_SERVING);
    // Liveness is about the process, not the store.
    expect((await fetch(`${t.baseUrl}/debug/healthz`)).status).toBe(200);
    watch.cancel();
    client.close();
  });
});

describe("shutting down", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it("turns readiness false, tells watchers NOT_SERVING and ends their streams", async () => {
    const stream = createClient(Health, t.transport("grpc")).watch({ service: MANAGEMENT });
    const statuses: Status[] = [];
    let first!: () => void;
    const firstOne = new Promise<void>((resolve) => (first = resolve));
    const ended = (async () => {
      for await (const message of stream) {
        statuses.push(message.status);
        first();
      }
    })();
    await firstOne;
    t.app.readiness.beginShutdown();
    await ended;
    expect(statuses).toEqual([Status.SERVING, Status.NOT_SERVING]);
    const ready = await fetch(`${t.baseUrl}/debug/ready`);
    expect(ready.status).toBe(412);
    expect(await ready.json()).toEqual({ error: "not ready: shutting down" });
    expect((await createClient(Health, t.transport("grpc-web")).check({ service: "" })).status).toBe(Status.NOT_SERVING);
  });
});
