import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

const callLines = () => t.logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === "call");

describe("logs", () => {
  it("never contain tokens, passwords or key material over a full run", async () => {
    const password = "Corr3ct-Horse-Battery-Staple!";
    const badToken = "definitely-not-a-valid-token-5f1c2e";
    const imported = await t.rest("POST", "/management/v1/users/human/_import", {
      userName: "logged-user",
      profile: { firstName: "Log", lastName: "Test" },
      email: { email: "log@example.com", isEmailVerified: true },
      password,
    });
    expect(imported.status).toBe(200);
    const id = imported.json.userId as string;
    await t.client("grpc").lockUser({ id }, { headers: t.auth() });
    await t.client("grpc-web").unlockUser({ id }, { headers: t.auth() });
    await t.client("connect-json").getUserByID({ id }, { headers: t.auth() });
    const rejected = await t
      .client("connect-binary")
      .lockUser({ id }, { headers: t.auth(badToken) })
      .catch((e: unknown) => e);
    expect(ConnectError.from(rejected).code).toBe(Code.Unauthenticated);
    expect((await t.rest("POST", `/management/v1/users/${id}/_lock`, {}, { authorization: `Bearer ${badToken}` })).status).toBe(401);
    await createClient(Health, t.transport("grpc")).check({ service: "" });

    const log = t.logLines.join("");
    // The run did reach the log: the import, the calls and the refusals.
    for (const seen of ["ImportHumanUser", "UnlockUser", "GetUserByID", "Unauthenticated", "grpc.health.v1.Health/Check"]) {
      expect(log).toContain(seen);
    }
    for (const secret of [t.pat, badToken, password, "BEGIN", "Bearer"]) expect(log).not.toContain(secret);
  });

  it("writes one JSON line per call with method, wire, code, duration, caller, organisation and request id", async () => {
    t.logLines.length = 0;
    const id = await seedUser(t, "active"); // one call
    await t.rest("POST", `/management/v1/users/${id}/_lock`, {}, { "x-request-id": "trace-42" });
    const lines = callLines();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      level: "info",
      msg: "call",
      method: "zitadel.management.v1.ManagementService/LockUser",
      wire: "rest",
      code: "OK",
      caller: t.app.instance.created!.adminUserId,
      org: t.app.instance.defaultOrgId,
      requestId: "trace-42",
    });
    expect(typeof lines[1].durationMs).toBe("number");
    expect(Date.parse(lines[1].time)).not.toBeNaN();
  });
});

describe("request ids", () => {
  it.each(wires)("are generated and returned when the client sends none (%s)", async (wire) => {
    t.logLines.length = 0;
    let returned: string | null = null;
    await t.client(wire).healthz({}, { onHeader: (headers) => (returned = headers.get("x-request-id")) });
    expect(returned).toMatch(UUID);
    expect(callLines()[0].requestId).toBe(returned);
  });

  it.each(wires)("are taken from the client and returned, on errors too (%s)", async (wire) => {
    t.logLines.length = 0;
    const error = await t
      .client(wire)
      .unlockUser({ id: "4711" }, { headers: { ...t.auth(), "x-request-id": `req-${wire}` } })
      .catch((e: unknown) => e);
    // gRPC carries error metadata in trailers; the others in headers. ConnectError.metadata has both.
    expect(ConnectError.from(error).metadata.get("x-request-id")).toBe(`req-${wire}`);
    expect(callLines()[0]).toMatchObject({ requestId: `req-${wire}`, code: "NotFound" });
  });

  it("are returned on REST, on probes and on answers the transcoder gives itself", async () => {
    const ok = await t.rest("GET", "/management/v1/healthz", undefined, { "x-request-id": "abc-123" });
    expect(ok.headers.get("x-request-id")).toBe("abc-123");
    const missing = await t.rest("GET", "/management/v1/no/such/route");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toMatch(UUID);
    expect((await fetch(`${t.baseUrl}/debug/ready`)).headers.get("x-request-id")).toMatch(UUID);
  });

  it("replaces ids that are too long or not printable", async () => {
    const long = "x".repeat(201);
    const replaced = await t.rest("GET", "/management/v1/healthz", undefined, { "x-request-id": long });
    expect(replaced.headers.get("x-request-id")).toMatch(UUID);
    const kept = await t.rest("GET", "/management/v1/healthz", undefined, { "x-request-id": "y".repeat(200) });
    expect(kept.headers.get("x-request-id")).toBe("y".repeat(200));
    const withTab = await t.rest("GET", "/management/v1/healthz", undefined, { "x-request-id": "a\tb" });
    expect(withTab.headers.get("x-request-id")).toMatch(UUID);
  });
});
