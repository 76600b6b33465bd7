import { createClient } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

const MANAGEMENT = "zitadel.management.v1.ManagementService";

/** Samples of the Prometheus text format as "name{sorted labels}" → value. */
async function scrape(t: TestApp): Promise<Map<string, number>> {
  const response = await fetch(`${t.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = (match[2] ?? "").match(/\w+="(?:[^"\\]|\\.)*"/g) ?? [];
    samples.set(`${match[1]}{${labels.sort().join(",")}}`, Number(match[3]));
  }
  return samples;
}

const key = (name: string, labels: Record<string, string> = {}) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(",")}}`;

const calls = (method: string, wire: string, code: string, service = MANAGEMENT) => key("latchkey_rpc_requests_total", { service, method, wire, code });

let t: TestApp;
beforeAll(async () => {
  // Every scrape renders afresh: these tests compare scrapes taken moments apart.
  t = await startTestApp({ env: { LATCHKEY_METRICS_INTERVAL_MS: "0" } });
});
afterAll(() => t.stop());

describe("GET /metrics", () => {
  it("counts a known sequence of calls exactly, by method, wire and code", async () => {
    const headers = t.auth();
    const grpc = t.client("grpc");
    await grpc.unlockUser({ id: "4711" }, { headers }).catch(() => undefined);
    await grpc.unlockUser({ id: "4712" }, { headers }).catch(() => undefined);
    await t.client("grpc-web").healthz({});
    await t.client("connect-json").healthz({});
    await t.client("connect-json").healthz({});
    await t
      .client("connect-binary")
      .lockUser({ id: "4711" }, { headers: t.auth("wrong-token") })
      .catch(() => undefined);
    const userId = await seedUser(t, "active"); // one ImportHumanUser over connect-binary
    expect((await t.rest("POST", `/management/v1/users/${userId}/_lock`, {})).status).toBe(200);
    expect((await t.rest("GET", `/management/v1/users/${userId}`)).status).toBe(200);
    expect((await t.rest("GET", "/management/v1/users/4711")).status).toBe(404);
    await createClient(Health, t.transport("grpc")).check({ service: "" });

    const samples = await scrape(t);
    const expected: Array<[string, number]> = [
      [calls("UnlockUser", "grpc", "NotFound"), 2],
      [calls("Healthz", "grpc-web", "OK"), 1],
      [calls("Healthz", "connect", "OK"), 2],
      [calls("LockUser", "connect", "Unauthenticated"), 1],
      [calls("ImportHumanUser", "connect", "OK"), 1],
      [calls("LockUser", "rest", "OK"), 1],
      [calls("GetUserByID", "rest", "OK"), 1],
      [calls("GetUserByID", "rest", "NotFound"), 1],
      [calls("Check", "grpc", "OK", "grpc.health.v1.Health"), 1],
    ];
    for (const [name, value] of expected) expect([name, samples.get(name)]).toEqual([name, value]);
    const counted = [...samples].filter(([name]) => name.startsWith("latchkey_rpc_requests_total{"));
    expect(counted.reduce((sum, [, value]) => sum + value, 0)).toBe(11);
    expect(samples.get(key("latchkey_rpc_duration_seconds_count", { service: MANAGEMENT, method: "UnlockUser", wire: "grpc" }))).toBe(2);
  });

  it("reports users by state from the read model", async () => {
    const before = await scrape(t);
    const locked = before.get(key("latchkey_users", { state: "locked" })) ?? 0;
    const active = before.get(key("latchkey_users", { state: "active" })) ?? 0;
    await seedUser(t, "locked");
    await seedUser(t, "active");
    const after = await scrape(t);
    expect(after.get(key("latchkey_users", { state: "locked" }))).toBe(locked + 1);
    expect(after.get(key("latchkey_users", { state: "active" }))).toBe(active + 1);
  });

  it("times the store's appends and commits and counts the events written", async () => {
    const before = await scrape(t);
    const id = await seedUser(t, "active");
    const middle = await scrape(t);
    await t.client("grpc").lockUser({ id }, { headers: t.auth() });
    const after = await scrape(t);
    const appended = key("latchkey_eventstore_appended_events_total");
    expect(after.get(appended)! - middle.get(appended)!).toBe(1); // user.locked
    const appends = key("latchkey_eventstore_append_duration_seconds_count", { result: "ok" });
    expect(after.get(appends)! - middle.get(appends)!).toBe(1);
    expect(middle.get(appends)! - before.get(appends)!).toBeGreaterThanOrEqual(1);
    const commits = key("latchkey_eventstore_commit_batch_size_count");
    expect(after.get(commits)!).toBeGreaterThan(before.get(commits) ?? 0);
    expect(after.get(key("latchkey_eventstore_commit_duration_seconds_count"))).toBe(after.get(commits));
  });

  it("has process metrics and readiness", async () => {
    const samples = await scrape(t);
    expect(samples.has(key("process_cpu_user_seconds_total"))).toBe(true);
    expect(samples.has(key("nodejs_heap_size_used_bytes"))).toBe(true);
    expect(samples.get(key("latchkey_ready"))).toBe(1);
  });
});
