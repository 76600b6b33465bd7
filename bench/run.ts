import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { LoadResult, Scenario } from "./drivers/load.js";
import { drive as runDriver, freePort, lockUnlockPairs as pairs, method, untilHealthy, type Wire } from "./lock-unlock.js";

/**
 * `npm run bench` (full) or `npm run bench -- --quick` (CI smoke): starts the
 * baselines and Latchkey as separate processes, drives them with the same
 * closed-loop driver, and prints one table of ratios with pass/fail per target.
 * The full run writes docs/benchmarks.md.
 */
const quick = process.argv.includes("--quick");
const settings = quick
  ? { seconds: 1, rounds: 1, historyEvents: 200, sizeEvents: 20_000, soakSeconds: 5 }
  : { seconds: 10, rounds: 3, historyEvents: 10_000, sizeEvents: 1_000_000, soakSeconds: 60 };
const root = new URL("..", import.meta.url).pathname;
const tsx = ["--import", "tsx"];
const children = new Set<ChildProcess>();
process.on("exit", () => children.forEach((child) => child.kill("SIGKILL")));

// ---- processes -----------------------------------------------------------------

function start(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Starts a baseline; it prints its port(s) as one JSON line. */
async function startBaseline(file: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; h2Port?: number }> {
  const port = await freePort();
  const child = start([...tsx, join("bench/baselines", file)], { PORT: String(port), ...env });
  const line = await new Promise<string>((resolve) => child.stdout!.once("data", (chunk) => resolve(String(chunk))));
  return { child, ...(JSON.parse(line) as { port: number; h2Port?: number }) };
}

/** A server the workloads can seed users on and call: Latchkey or the durable floor. */
interface Target {
  port: number;
  token: string;
}

interface Latchkey extends Target {
  child: ChildProcess;
  dir: string;
  readyMs: number;
}

async function startLatchkey(dir: string, extraEnv: Record<string, string> = {}): Promise<Latchkey> {
  const port = await freePort();
  const began = performance.now();
  // The compiled server with the flags `npm start` gives it (package.json).
  const child = start(["--max-semi-space-size=4", "--enable-source-maps", "--import", "./bench/stall-monitor.mjs", "dist/main.js"], {
    LATCHKEY_PORT: String(port),
    LATCHKEY_HOST: "127.0.0.1",
    LATCHKEY_DATABASE: join(dir, "latchkey.db"),
    LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
    BENCH_STALL_FILE: join(dir, "stall.json"),
    ...extraEnv,
  });
  // The default log level, one line per call, as `npm start` runs it; the lines are read and dropped.
  child.stdout!.resume();
  await untilHealthy(child, port);
  const readyMs = performance.now() - began;
  return { child, port, dir, token: readFileSync(join(dir, "admin.pat"), "utf8").trim(), readyMs };
}

// ---- workloads -----------------------------------------------------------------

async function rest(k: Target, path: string, body: unknown) {
  const response = await fetch(`http://127.0.0.1:${k.port}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${k.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

let userCounter = 0;
async function seedUsers(k: Target, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 32) {
    const batch = Array.from({ length: Math.min(32, count - i) }, () =>
      rest(k, "/management/v1/users/machine", { userName: `bench-${process.pid}-${userCounter++}`, name: "Bench" }).then((r) => r.userId as string),
    );
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}

const drive = (scenario: Scenario): Promise<LoadResult> => runDriver(scenario, (child, running) => (running ? children.add(child) : children.delete(child)));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// ---- targets -------------------------------------------------------------------

interface Row {
  target: string;
  measured: string;
  ratio: number;
  goal: string;
  pass: boolean | undefined;
}
const rows: Row[] = [];
const record = (target: string, measured: string, ratio: number, goal: number, higherIsBetter = true) =>
  rows.push({ target, measured, ratio, goal: `${higherIsBetter ? "≥" : "≤"} ${goal}`, pass: higherIsBetter ? ratio >= goal : ratio <= goal });
/** A figure shown for context, with no goal. */
const inform = (target: string, measured: string, ratio: number) => rows.push({ target, measured, ratio, goal: "information", pass: undefined });

const H1_WIRES = ["rest", "connect-json", "grpc-web"] as const;

async function throughputTargets(k: Latchkey) {
  const floorToken = "durable-floor-token";
  const floor = await startBaseline("durable-floor.ts", { FLOOR_TOKEN: floorToken });
  const floorTarget: Target = { port: floor.port, token: floorToken };
  const grpcBase = await startBaseline("grpc-js-noop.ts");
  const httpBase = await startBaseline("http-noop.ts");
  const h2 = { kind: "h2" as const, connections: 4, streams: 16, seconds: settings.seconds };
  const h1 = { kind: "h1" as const, connections: 64, streams: 1, seconds: settings.seconds };
  const slotsOf = async (target: Target, wire: Wire, count: number, users: number) => {
    const ids = await seedUsers(target, count * users);
    return Array.from({ length: count }, (_, i) => pairs(wire, ids.slice(i * users, (i + 1) * users), target.token));
  };
  const results: Record<string, LoadResult[]> = {};
  const add = (name: string, result: LoadResult) => (results[name] ??= []).push(result);
  for (let round = 0; round < settings.rounds; round++) {
    const baseSlots = (await slotsOf(k, "grpc", 64, 4)).map((slot) => slot.map((r) => ({ ...r, path: method("UnlockUser") })));
    add("grpc-js no-op", await drive({ ...h2, port: grpcBase.port, slots: baseSlots }));
    add("floor grpc", await drive({ ...h2, port: floor.h2Port!, slots: await slotsOf(floorTarget, "grpc", 64, 4) }));
    add("latchkey grpc", await drive({ ...h2, port: k.port, slots: await slotsOf(k, "grpc", 64, 4) }));
    add("node:http no-op", await drive({ ...h1, port: httpBase.port, slots: await slotsOf(k, "rest", 64, 1) }));
    for (const wire of H1_WIRES) {
      add(`floor ${wire}`, await drive({ ...h1, port: floor.port, slots: await slotsOf(floorTarget, wire, 64, 2) }));
      add(`latchkey ${wire}`, await drive({ ...h1, port: k.port, slots: await slotsOf(k, wire, 64, 2) }));
    }
  }
  await Promise.all([stop(floor.child), stop(grpcBase.child), stop(httpBase.child)]);
  const rps = (name: string) => median(results[name]!.map((r) => r.rps));
  const p99 = (name: string) => median(results[name]!.map((r) => r.p99Ms));
  const failures = (name: string) => results[name]!.reduce((sum, r) => sum + r.failures, 0);
  for (const name of Object.keys(results)) {
    console.log(
      `${name.padEnd(22)} ${rps(name).toFixed(0).padStart(7)} calls/s  p50 ${median(results[name]!.map((r) => r.p50Ms)).toFixed(2)} ms  p99 ${p99(name).toFixed(2)} ms  failures ${failures(name)}`,
    );
  }
  const calls = (name: string) => `${rps(name).toFixed(0)} calls/s`;
  const againstFloor = (label: string, wire: string) => {
    const ours = `latchkey ${wire}`;
    const floorName = `floor ${wire}`;
    record(`${label} vs the durable floor (throughput)`, `${calls(ours)} vs ${calls(floorName)}`, rps(ours) / rps(floorName), 0.8);
    record(
      `${label} vs the durable floor (p99, lower is better)`,
      `${p99(ours).toFixed(2)} vs ${p99(floorName).toFixed(2)} ms`,
      p99(ours) / p99(floorName),
      1.5,
      false,
    );
  };
  againstFloor("1. lock/unlock gRPC h2c (4 × 16)", "grpc");
  for (const wire of H1_WIRES) againstFloor(`2. lock/unlock ${wire} HTTP/1.1 (64 connections)`, wire);
  inform("   Latchkey gRPC vs grpc-js no-op", `${calls("latchkey grpc")} vs ${calls("grpc-js no-op")}`, rps("latchkey grpc") / rps("grpc-js no-op"));
  inform("   durable floor gRPC vs grpc-js no-op", `${calls("floor grpc")} vs ${calls("grpc-js no-op")}`, rps("floor grpc") / rps("grpc-js no-op"));
  for (const wire of H1_WIRES) {
    inform(
      `   Latchkey ${wire} vs node:http no-op`,
      `${calls(`latchkey ${wire}`)} vs ${calls("node:http no-op")}`,
      rps(`latchkey ${wire}`) / rps("node:http no-op"),
    );
  }
  const failed = (prefix: string) =>
    Object.keys(results)
      .filter((n) => n.startsWith(prefix))
      .reduce((sum, n) => sum + failures(n), 0);
  record("   failed Latchkey calls during the load (must be 0)", String(failed("latchkey")), failed("latchkey"), 0, false);
  inform("   failed durable-floor calls during the load", String(failed("floor")), failed("floor"));
  return { sqliteGrpcRps: rps("latchkey grpc") };
}

async function historyTarget(k: Latchkey) {
  const [old, fresh] = await seedUsers(k, 2);
  // Build the history through the API: lock/unlock pairs on one user.
  const client = async (verb: string, id: string) => rest(k, `/management/v1/users/${id}/_${verb}`, {});
  for (let i = 0; i < settings.historyEvents / 2; i++) {
    await client("lock", old!);
    await client("unlock", old!);
  }
  const one = { kind: "h2" as const, port: k.port, connections: 1, streams: 1, seconds: settings.seconds };
  const oldRates: number[] = [];
  const freshRates: number[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    oldRates.push((await drive({ ...one, slots: [pairs("grpc", [old!], k.token)] })).rps);
    freshRates.push((await drive({ ...one, slots: [pairs("grpc", [fresh!], k.token)] })).rps);
  }
  record(
    `3. user with ${settings.historyEvents} events vs a fresh user`,
    `${median(oldRates).toFixed(0)} vs ${median(freshRates).toFixed(0)} calls/s`,
    median(oldRates) / median(freshRates),
    0.9,
  );
}

async function sizeTarget() {
  const measure = async (events: number) => {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-bench-size-"));
    let k = await startLatchkey(dir);
    if (events > 0) {
      const instance = (await fetch(`http://127.0.0.1:${k.port}/management/v1/users/machine`, {
        method: "POST",
        headers: { authorization: `Bearer ${k.token}` },
        body: JSON.stringify({ userName: "size-probe", name: "Probe" }),
      }).then((r) => r.json())) as { details: { resourceOwner: string } };
      const instanceId = readInstanceId(dir);
      await stop(k.child);
      const seeder = start([...tsx, "bench/seed-events.ts", join(dir, "latchkey.db"), instanceId, instance.details.resourceOwner, String(events)]);
      await new Promise((resolve) => seeder.once("exit", resolve));
      k = await startLatchkey(dir);
    } else {
      await stop(k.child);
      k = await startLatchkey(dir);
    }
    const rates: number[] = [];
    const h2 = { kind: "h2" as const, port: k.port, connections: 4, streams: 16, seconds: settings.seconds };
    for (let round = 0; round < settings.rounds; round++) {
      const ids = await seedUsers(k, 64 * 2);
      rates.push((await drive({ ...h2, slots: Array.from({ length: 64 }, (_, i) => pairs("grpc", ids.slice(i * 2, i * 2 + 2), k.token)) })).rps);
    }
    const readyMs = k.readyMs;
    await stop(k.child);
    rmSync(dir, { recursive: true, force: true });
    return { rps: median(rates), readyMs };
  };
  const empty = await measure(0);
  const full = await measure(settings.sizeEvents);
  record(
    `4. throughput with ${settings.sizeEvents} events vs an empty store`,
    `${full.rps.toFixed(0)} vs ${empty.rps.toFixed(0)} calls/s`,
    full.rps / empty.rps,
    0.9,
  );
  record(
    `4. start-up to ready with ${settings.sizeEvents} events vs empty (lower is better)`,
    `${full.readyMs.toFixed(0)} vs ${empty.readyMs.toFixed(0)} ms`,
    full.readyMs / empty.readyMs,
    2,
    false,
  );
}

function readInstanceId(dir: string): string {
  const db = new Database(join(dir, "latchkey.db"), { readonly: true });
  const row = db.prepare("SELECT id FROM instances1 LIMIT 1").get() as { id: string };
  db.close();
  return row.id;
}

async function soakTarget(k: Latchkey) {
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${k.child.pid}/status`, "utf8"))![1]) / 1024;
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rss()), 1000);
  const ids = await seedUsers(k, 64 * 4);
  k.child.kill("SIGUSR2"); // measure stalls under load only, not since start-up
  await drive({
    kind: "h2",
    port: k.port,
    connections: 4,
    streams: 16,
    seconds: settings.soakSeconds,
    slots: Array.from({ length: 64 }, (_, i) => pairs("grpc", ids.slice(i * 4, i * 4 + 4), k.token)),
  });
  clearInterval(timer);
  const peak = Math.max(...samples);
  const third = Math.max(1, Math.floor(samples.length / 3));
  const early = median(samples.slice(0, third));
  const late = median(samples.slice(-third));
  const stall = JSON.parse(readFileSync(join(k.dir, "stall.json"), "utf8")) as { maxMs: number };
  record(`5. peak RSS during ${settings.soakSeconds} s at load (MB)`, `${peak.toFixed(0)} MB`, peak, 200, false);
  record("5. RSS trend: last third vs first third (lower is better)", `${late.toFixed(0)} vs ${early.toFixed(0)} MB`, late / early, 1.1, false);
  record("5. longest event-loop stall (ms)", `${stall.maxMs.toFixed(1)} ms`, stall.maxMs, 50, false);
}

/**
 * Lock/unlock over gRPC on PostgreSQL: one instance, then two instances on the
 * same database with the load split over both. Reported against the
 * single-SQLite figure of this run; no target yet.
 */
async function postgresLines(sqliteGrpcRps: number) {
  const url = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  admin.on("error", () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    console.log(`PostgreSQL lines skipped: ${url} is not reachable (${(error as Error).message})`);
    return;
  }
  const schema = `lk_bench_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), "latchkey-bench-pg-"));
  const env = { LATCHKEY_DATABASE: `${url}?schema=${schema}`, LATCHKEY_MASTERKEY_PATH: join(dir, "masterkey") };
  const instances: Latchkey[] = [];
  try {
    instances.push(await startLatchkey(dir, env));
    instances.push(await startLatchkey(dir, env));
    const [first, second] = instances as [Latchkey, Latchkey];
    const one: number[] = [];
    const two: number[] = [];
    let failures = 0;
    for (let round = 0; round < settings.rounds; round++) {
      const ids = await seedUsers(first, 64 * 2);
      const slots = Array.from({ length: 64 }, (_, i) => pairs("grpc", ids.slice(i * 2, i * 2 + 2), first.token));
      const alone = await drive({ kind: "h2", port: first.port, connections: 4, streams: 16, seconds: settings.seconds, slots });
      one.push(alone.rps);
      failures += alone.failures;
      // The same 64 calls in flight, half on each instance.
      const idsBoth = await seedUsers(first, 64 * 2);
      const slotsBoth = Array.from({ length: 64 }, (_, i) => pairs("grpc", idsBoth.slice(i * 2, i * 2 + 2), first.token));
      const [a, b] = await Promise.all([
        drive({ kind: "h2", port: first.port, connections: 2, streams: 16, seconds: settings.seconds, slots: slotsBoth.slice(0, 32) }),
        drive({ kind: "h2", port: second.port, connections: 2, streams: 16, seconds: settings.seconds, slots: slotsBoth.slice(32) }),
      ]);
      two.push(a.rps + b.rps);
      failures += a.failures + b.failures;
    }
    inform(
      "   PostgreSQL, one instance: gRPC lock/unlock vs SQLite",
      `${median(one).toFixed(0)} vs ${sqliteGrpcRps.toFixed(0)} calls/s`,
      median(one) / sqliteGrpcRps,
    );
    inform(
      "   PostgreSQL, two instances on one database vs SQLite",
      `${median(two).toFixed(0)} vs ${sqliteGrpcRps.toFixed(0)} calls/s`,
      median(two) / sqliteGrpcRps,
    );
    record("   failed calls on PostgreSQL (must be 0)", String(failures), failures, 0, false);
  } finally {
    await Promise.all(instances.map((k) => stop(k.child)));
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- main ----------------------------------------------------------------------

if (spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" }).status !== 0) throw new Error("npm run build failed");
const dir = mkdtempSync(join(tmpdir(), "latchkey-bench-"));
const latchkey = await startLatchkey(dir);
let sqliteGrpcRps = 0;
try {
  ({ sqliteGrpcRps } = await throughputTargets(latchkey));
  await historyTarget(latchkey);
  await soakTarget(latchkey);
} finally {
  await stop(latchkey.child);
  rmSync(dir, { recursive: true, force: true });
}
await postgresLines(sqliteGrpcRps);
await sizeTarget();

const table = [
  "| target | measured | ratio | goal | result |",
  "|---|---|---|---|---|",
  ...rows.map((r) => `| ${r.target} | ${r.measured} | ${r.ratio.toFixed(2)} | ${r.goal} | ${r.pass === undefined ? "" : r.pass ? "pass" : "FAIL"} |`),
].join("\n");
console.log(`\n${table}\n`);
if (!quick) {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`;
  writeFileSync(
    join(root, "docs/benchmarks.results.md"),
    `Measured ${new Date().toISOString()} on ${machine} with \`npm run bench\` (${settings.rounds} rounds of ${settings.seconds} s, medians).\n\n${table}\n`,
  );
}
console.log(quick ? "quick mode: a smoke test, not the targets" : "wrote docs/benchmarks.results.md");
