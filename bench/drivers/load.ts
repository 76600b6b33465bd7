import { connect as connectHttp2, type ClientHttp2Session } from "node:http2";
import { connect as connectTcp, type Socket } from "node:net";

/**
 * A closed-loop load driver: each slot keeps one call in flight and cycles
 * through its own list of requests, so a slot's lock and unlock of a user
 * never race each other. Run as a child process; prints one JSON line.
 */
export interface Scenario {
  readonly kind: "h2" | "h1";
  readonly port: number;
  readonly connections: number;
  /** Calls in flight per connection (HTTP/2 streams; 1 for HTTP/1.1). */
  readonly streams: number;
  readonly seconds: number;
  /** One list of requests per slot (connections × streams). */
  readonly slots: ReadonlyArray<ReadonlyArray<{ path: string; headers: Record<string, string>; body: string }>>;
}

export interface LoadResult {
  readonly calls: number;
  readonly failures: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const latencies: number[] = [];
let failures = 0;
let running = true;

async function main() {
  const scenario = JSON.parse(await readStdin()) as Scenario;
  const slots = scenario.slots.map((requests) => requests.map((r) => ({ ...r, body: Buffer.from(r.body, "base64") })));
  const started = performance.now();
  setTimeout(() => (running = false), scenario.seconds * 1000);
  const loops = scenario.kind === "h2" ? await h2Loops(scenario, slots) : await h1Loops(scenario, slots);
  await Promise.all(loops);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const result: LoadResult = { calls: latencies.length, failures, rps: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

type Slot = Array<{ path: string; headers: Record<string, string>; body: Buffer }>;

async function h2Loops(scenario: Scenario, slots: Slot[]) {
  const sessions: ClientHttp2Session[] = [];
  for (let i = 0; i < scenario.connections; i++) {
    const session = connectHttp2(`http://127.0.0.1:${scenario.port}`);
    await new Promise((resolve, reject) => session.once("connect", resolve).once("error", reject));
    sessions.push(session);
  }
  return slots.map(async (slot, index) => {
    const session = sessions[index % sessions.length]!;
    for (let i = 0; running; i = (i + 1) % slot.length) {
      const request = slot[i]!;
      const start = performance.now();
      const ok = await new Promise<boolean>((resolve) => {
        const stream = session.request({ ":method": "POST", ":path": request.path, ...request.headers });
        let status: unknown;
        stream.on("response", (headers) => (status = headers["grpc-status"] ?? status));
        stream.on("trailers", (trailers) => (status = trailers["grpc-status"] ?? status));
        stream.on("data", () => {});
        stream.on("close", () => resolve(status === "0"));
        stream.on("error", () => resolve(false));
        stream.end(request.body);
      });
      latencies.push(performance.now() - start);
      if (!ok) failures++;
    }
  });
}

async function h1Loops(scenario: Scenario, slots: Slot[]) {
  return slots.map(async (slot) => {
    const socket = connectTcp(scenario.port, "127.0.0.1");
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    socket.setNoDelay(true);
    const frames = slot.map((r) => {
      const head = Object.entries({ host: "127.0.0.1", "content-length": String(r.body.length), ...r.headers })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("");
      return Buffer.concat([Buffer.from(`POST ${r.path} HTTP/1.1\r\n${head}\r\n`), r.body]);
    });
    const reader = responseReader(socket);
    for (let i = 0; running; i = (i + 1) % frames.length) {
      const start = performance.now();
      socket.write(frames[i]!);
      const { status, body } = await reader.next();
      latencies.push(performance.now() - start);
      // gRPC-web reports its status in the body's trailer frame.
      if (status !== 200 || (body.includes("grpc-status:") && !/grpc-status: ?0\r\n/.test(body))) failures++;
    }
    socket.destroy();
  });
}

/** Reads one HTTP/1.1 response at a time (content-length framed, as all tested servers answer). */
function responseReader(socket: Socket) {
  let buffer: Buffer = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    waiting?.();
  });
  const more = () => new Promise<void>((resolve) => (waiting = resolve));
  return {
    async next(): Promise<{ status: number; body: string }> {
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
          const head = buffer.subarray(0, end).toString("latin1");
          const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buffer.length >= end + 4 + length) {
            const body = buffer.subarray(end + 4, end + 4 + length).toString("latin1");
            buffer = buffer.subarray(end + 4 + length);
            return { status: Number(head.slice(9, 12)), body };
          }
        }
        await more();
      }
    },
  };
}

function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    let data = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => (data += chunk));
    process.stdin.on("end", () => resolve(data));
  });
}

void main();
