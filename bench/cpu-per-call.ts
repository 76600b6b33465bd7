import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Scenario } from "./drivers/load.js";
import { drive, freePort, lockUnlockPairs, untilHealthy, type Wire } from "./lock-unlock.js";

/**
 * `npx tsx bench/cpu-per-call.ts [latchkey|floor] [grpc|rest|connect-json|grpc-web] [seconds]`:
 * drives lock/unlock pairs like `npm run bench` and prints the server's CPU
 * time per call, split by thread (main, SQLite writer, the rest). CPU per
 * call barely moves when other processes load the machine, unlike calls/s,
 * so it is the figure to compare changes with on a shared machine.
 * Set CPU_PROF=1 to also write a `--cpu-prof` profile of the server's main
 * thread into the current folder; ALLOC_PROF=1 writes the allocations of
 * the measured window into alloc.heapprofile (bench/allocation-profile.mjs,
 * summed by bench/allocation-summary.ts). PROBE_DATABASE=postgres://… runs Latchkey
 * on PostgreSQL (give it a schema of its own: `?schema=…`); the CPU of all
 * `postgres` processes on the machine during the run is then shown as well.
 */
const [server = "latchkey", wire = "grpc", secondsArg = "5"] = process.argv.slice(2) as [string?, Wire?, string?];
const seconds = Number(secondsArg);
const root = new URL("..", import.meta.url).pathname;
const children = new Set<ChildProcess>();
process.on("exit", () => children.forEach((child) => child.kill("SIGKILL")));

function start(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  return child;
}

interface Target {
  child: ChildProcess;
  port: number;
  h2Port: number;
  token: string;
}

async function startLatchkey(dir: string): Promise<Target> {
  const port = await freePort();
  const flags = [
    ...(process.env.CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.cwd()}`] : []),
    ...(process.env.ALLOC_PROF ? ["--import", join(root, "bench/allocation-profile.mjs")] : []),
  ];
  // As `npm start` runs it, default log level included; its log lines go nowhere here.
  const nodeFlags = process.env.NODE_FLAGS?.split(" ") ?? ["--max-semi-space-size=4", "--enable-source-maps"];
  const child = start([...nodeFlags, ...flags, "dist/main.js"], {
    LATCHKEY_PORT: String(port),
    LATCHKEY_HOST: "127.0.0.1",
    LATCHKEY_DATABASE: process.env.PROBE_DATABASE ?? join(dir, "latchkey.db"),
    LATCHKEY_MASTERKEY_PATH: join(dir, "masterkey"),
    LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
    ...(process.env.ALLOC_PROF ? { ALLOC_PROF_FILE: join(process.cwd(), "alloc.heapprofile") } : {}),
  });
  child.stdout!.resume();
  await untilHealthy(child, port);
  return { child, port, h2Port: port, token: readFileSync(join(dir, "admin.pat"), "utf8").trim() };
}

async function startFloor(): Promise<Target> {
  const token = "floor-token";
  const child = start(["--import", "tsx", "bench/baselines/durable-floor.ts"], { FLOOR_TOKEN: token });
  const line = await new Promise<string>((resolve) => child.stdout!.once("data", (chunk) => resolve(String(chunk))));
  const { port, h2Port } = JSON.parse(line) as { port: number; h2Port: number };
  return { child, port, h2Port, token };
}

async function seedUsers(target: Target, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 32) {
    const batch = Array.from({ length: Math.min(32, count - i) }, async (_, j) => {
      const response = await fetch(`http://127.0.0.1:${target.port}/management/v1/users/machine`, {
        method: "POST",
        headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
        body: JSON.stringify({ userName: `probe-${ids.length + i + j}-${Math.random()}`, name: "Probe" }),
      });
      if (!response.ok) throw new Error(`seeding: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { userId: string }).userId;
    });
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}

/** CPU seconds of every process named `postgres` (its server and backends). */
function postgresSeconds(): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** CPU seconds (user, system) per thread of a process, keyed by thread id. */
function threadTimes(pid: number): Map<string, { user: number; system: number }> {
  const times = new Map<string, { user: number; system: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      times.set(tid, { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return times;
}

if (server === "latchkey" && spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" }).status !== 0) throw new Error("build failed");
const dir = mkdtempSync(join(tmpdir(), "latchkey-cpu-"));
const target = server === "floor" ? await startFloor() : await startLatchkey(dir);
const h2 = wire === "grpc";
const slotCount = 64;
// The warm-up stops mid-pair, leaving users locked: the measurement gets users of its own.
const slotsOf = async () => {
  const ids = await seedUsers(target, slotCount * 2);
  return Array.from({ length: slotCount }, (_, i) => lockUnlockPairs(wire, ids.slice(i * 2, i * 2 + 2), target.token));
};
const scenario = (secs: number, slots: Scenario["slots"]): Scenario =>
  h2
    ? { kind: "h2", port: target.h2Port, connections: 4, streams: 16, seconds: secs, slots }
    : { kind: "h1", port: target.port, connections: 64, streams: 1, seconds: secs, slots };
await drive(scenario(1, await slotsOf()));
const slots = await slotsOf();
const pid = target.child.pid!;
const before = threadTimes(pid);
const postgresBefore = postgresSeconds();
const window = [process.hrtime.bigint() / 1000n];
// Allocation sampling covers the measured window only (bench/allocation-profile.mjs).
const allocationSignal = () => process.env.ALLOC_PROF && server === "latchkey" && target.child.kill("SIGUSR2");
allocationSignal();
const result = await drive(scenario(seconds, slots));
window.push(process.hrtime.bigint() / 1000n);
allocationSignal();
const after = threadTimes(pid);
const postgresUsed = postgresSeconds() - postgresBefore;
// Node does not name its threads: the main thread is the process id, the
// busiest other one is the SQLite writer (Latchkey) or a GC helper (floor).
const used = [...after].map(([tid, t]) => ({
  main: tid === String(pid),
  user: t.user - (before.get(tid)?.user ?? 0),
  system: t.system - (before.get(tid)?.system ?? 0),
}));
const perCall = (secs: number) => ((secs * 1e6) / result.calls).toFixed(0);
const describe = (t: { user: number; system: number }) => `${perCall(t.user + t.system)} (sys ${perCall(t.system)})`;
const main = used.find((t) => t.main)!;
const others = used.filter((t) => !t.main).sort((a, b) => b.user + b.system - (a.user + a.system));
const rest = others.slice(1).reduce((sum, t) => ({ user: sum.user + t.user, system: sum.system + t.system }), { user: 0, system: 0 });
const total = used.reduce((sum, t) => sum + t.user + t.system, 0);
console.log(
  `${server} ${wire}: ${result.rps.toFixed(0)} calls/s, p99 ${result.p99Ms.toFixed(1)} ms, failures ${result.failures}; ` +
    `CPU µs/call: total ${perCall(total)}, main ${describe(main)}, busiest other thread ${describe(others[0] ?? { user: 0, system: 0 })}, rest ${describe(rest)}`,
);
if (process.env.PROBE_DATABASE) console.log(`postgres processes: ${perCall(postgresUsed)} µs/call`);
// Profiles use the same monotonic clock: this is the measured part of one (bench/profile-summary.ts).
if (process.env.CPU_PROF) console.log(`measured window (µs, monotonic): ${window.join(" ")}`);
if (process.env.THREADS) console.log(`other threads: ${others.map(describe).join(", ")}`);
if (process.env.ALLOC_PROF) await new Promise((resolve) => setTimeout(resolve, 2000));
target.child.kill("SIGTERM");
await new Promise((resolve) => target.child.once("exit", resolve));
rmSync(dir, { recursive: true, force: true });
