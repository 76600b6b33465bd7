import { appendFileSync } from "node:fs";
import type { DescMessage, DescMethod } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import fc from "fast-check";
import { afterAll, beforeAll, expect } from "vitest";
import { buildRestRoutes, type RestRoute } from "../../../src/api/rest/http-rules.js";
import { servedServices } from "../../../src/api/routes.js";
import { startTestApp, type TestApp } from "../../support/test-app.js";
import { seedUser } from "../../support/users.js";

/**
 * Settings of a fuzz run. `npm test` runs a few cases per wire with a fixed
 * seed; `npm run fuzz` sets FUZZ_RUNS (and may set FUZZ_SEED) for the long run
 * and FUZZ_REPORT to collect the figures (one JSON line per property).
 */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
export const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
/** Growth of this process's RSS (the server runs in it) allowed over a whole file. */
export const RSS_BOUND_MB = Number(process.env.FUZZ_RSS_MB ?? 512);
/** A test's time: generous per case, so that a slow shared machine does not fail it. */
export const TEST_TIMEOUT_MS = Math.max(60_000, RUNS * 50);
/** One answer may take this long; no answer at all is a failure. */
export const ANSWER_TIMEOUT_MS = 15_000;

export interface RpcMethod {
  readonly path: string;
  readonly method: DescMethod & { methodKind: "unary" };
  readonly input: DescMessage;
  readonly output: DescMessage;
}

/** Every unary method the API serves (the services REST maps too). */
export const rpcMethods: RpcMethod[] = servedServices.flatMap(({ service }) =>
  service.methods
    .filter((m): m is RpcMethod["method"] => m.methodKind === "unary")
    .map((method) => ({ path: `/${service.typeName}/${method.name}`, method, input: method.input, output: method.output })),
);

export const restRoutes: RestRoute[] = buildRestRoutes(servedServices);

export interface FuzzTarget {
  readonly t: TestApp;
  /** A user of the default organisation, locked, that mutated requests aim at. */
  readonly userId: string;
  readonly orgId: string;
  /** Strings that get requests past the outer layers: the fixed user's id, the organisation's, and so on. */
  readonly knownStrings: string[];
  /** The position of the last event in the log. */
  position(): Promise<number>;
  /**
   * A call that did not succeed changed nothing: no event after `before`,
   * except the failed credential checks that are recorded on purpose.
   */
  expectNoWrite(before: number, succeeded: boolean, what: () => string): Promise<void>;
  /** The server still answers: liveness probe and a Connect call. */
  expectHealthy(): Promise<void>;
  /** RSS growth since the start, within the bound. */
  expectBoundedMemory(): void;
  stop(): Promise<void>;
}

export async function startFuzzTarget(env: Record<string, string> = {}): Promise<FuzzTarget> {
  // Only errors are kept: a long run would otherwise hold every log line in memory.
  const t = await startTestApp({ env, logLevel: "error" });
  const userId = await seedUser(t, "locked");
  const orgId = t.app.instance.defaultOrgId;
  const rssAtStart = process.memoryUsage().rss;
  const position = async () => {
    const rows = await t.app.store.query<{ p: number | string | null }>("SELECT MAX(position) AS p FROM events");
    return Number(rows[0]?.p ?? 0);
  };
  return {
    t,
    userId,
    orgId,
    knownStrings: [userId, orgId, t.app.instance.instanceId, "", " ", "0", "%2F", "../", "\u0000", "\u{1F600}", "x".repeat(201)],
    position,
    async expectNoWrite(before, succeeded, what) {
      if (succeeded) return;
      const written = (await t.app.store.readAll(before, 100)).filter((event) => !DELIBERATE_WRITES.test(event.type));
      if (written.length > 0) throw new Error(`a failed call wrote ${written.map((e) => e.type).join(", ")}: ${what()}`);
    },
    async expectHealthy() {
      const probe = await fetch(`${t.baseUrl}/debug/healthz`);
      expect(probe.status).toBe(200);
      expect(await probe.text()).toBe("ok");
      const call = await fetch(`${t.baseUrl}/zitadel.management.v1.ManagementService/Healthz`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(call.status).toBe(200);
    },
    expectBoundedMemory() {
      const grownMb = (process.memoryUsage().rss - rssAtStart) / 2 ** 20;
      expect(grownMb, `RSS grew by ${grownMb.toFixed(0)} MB`).toBeLessThan(RSS_BOUND_MB);
    },
    stop: () => t.stop(),
  };
}

// Failed password and OTP checks count towards the lockout: recorded even though the call fails.
const DELIBERATE_WRITES = /\.check\.failed$/;

/**
 * Runs a property with the run's seed and size, and reports its figures.
 * Each case is answered within ANSWER_TIMEOUT_MS or fails.
 */
export async function fuzz<T>(wire: string, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>): Promise<void> {
  const started = performance.now();
  let cases = 0;
  let failure: string | undefined;
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        cases++;
        await withTimeout(check(value), ANSWER_TIMEOUT_MS, () => `no answer within ${ANSWER_TIMEOUT_MS} ms`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: process.env.FUZZ_SHRINK !== "1" },
    );
  } catch (error) {
    failure = String((error as Error).message).slice(0, 4000);
    throw error;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    const line = { wire, runs: RUNS, cases, seed: SEED, seconds: Number(seconds.toFixed(1)), failed: failure !== undefined, failure };
    if (process.env.FUZZ_REPORT) appendFileSync(process.env.FUZZ_REPORT, JSON.stringify(line) + "\n");
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** gRPC codes that may end a call the fuzzer makes; UNKNOWN, UNAVAILABLE and DATA_LOSS never may. */
export interface StatusContext {
  /** The request carried a deadline: DEADLINE_EXCEEDED is an answer. */
  readonly deadline: boolean;
}

/**
 * INTERNAL only where it is deliberate: undecodable protobuf and frames that
 * claim a compression nobody negotiated (ZITADEL, like grpc-go, answers those INTERNAL).
 */
const DELIBERATE_INTERNAL =
  /^(parse binary|decompression failed|received compressed envelope, but do not know how to decompress|protocol error: received compressed or unknown frame|protocol error: received compressed frame|invalid frame)/;

export function expectDeliberateStatus(code: number, message: string, context: StatusContext, what: () => string): void {
  if (!Number.isInteger(code) || code < 0 || code > 16) throw new Error(`not a gRPC code: ${code}: ${what()}`);
  if (code === Code.Unknown || code === Code.Unavailable || code === Code.DataLoss) throw new Error(`${Code[code]} "${message}": ${what()}`);
  if (code === Code.Internal && !DELIBERATE_INTERNAL.test(message)) throw new Error(`INTERNAL "${message}": ${what()}`);
  if (code === Code.DeadlineExceeded && !context.deadline) throw new Error(`DEADLINE_EXCEEDED without a deadline: ${what()}`);
}

/** An authorization header: mostly the admin's token (to get past authentication), sometimes none or garbage. */
export function authorizationOf(target: FuzzTarget): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${target.t.pat}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: fc.constantFrom("Bearer", "Basic Zm9vOmJhcg==", "bearer  x.y.z", `Bearer ${target.t.pat}x`) },
  );
}

/** The organisation header: mostly absent, sometimes the known one, sometimes made up. */
export function orgHeaderOf(target: FuzzTarget): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(target.orgId) },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-z]{0,20}$/) },
  );
}

/** Header values node can send: control characters and non-Latin-1 text are refused by the client itself. */
export function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, "?");
}

/**
 * Starts a fuzz target before the file's tests and stops it after them; the
 * returned object reads through to the running target.
 */
export function useFuzzTarget(): FuzzTarget {
  let running: FuzzTarget | undefined;
  beforeAll(async () => {
    running = await startFuzzTarget();
  });
  afterAll(() => running?.stop());
  return new Proxy({} as FuzzTarget, {
    get(_, key) {
      if (!running) throw new Error("the fuzz target has not started");
      return Reflect.get(running, key);
    },
  });
}
