import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest, type ClientRequest } from "node:http";
import { connect as http2Connect, type ClientHttp2Stream } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { afterAll, describe, expect, it } from "vitest";
import { ImportHumanUserRequestSchema } from "../../gen/zitadel/management_pb.js";

// A real process on a SQLite file; it does not use the test app, so it runs once.
const skip = process.env.TEST_STORE === "postgres";

interface Server {
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, any>>;
  readonly port: number;
  readonly pat: string;
  readonly exited: Promise<number | null>;
}

async function startServer(dir: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH,
      LATCHKEY_DATABASE: join(dir, "latchkey.db"),
      LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat"),
      LATCHKEY_PORT: "0",
      LATCHKEY_HOST: "127.0.0.1",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Array<Record<string, any>> = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      let end: number;
      while ((end = buffered.indexOf("\n")) >= 0) {
        const line = JSON.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        lines.push(line);
        if (line.msg === "listening") resolve(line.port);
      }
    });
    void exited.then((code) => reject(new Error(`server exited early with ${code}`)));
  });
  return { child, lines, port, pat: readFileSync(join(dir, "admin.pat"), "utf8").trim(), exited };
}

let counter = 0;
function importRequest() {
  const userName = `shutdown-${++counter}`;
  return {
    userName,
    profile: { firstName: "Slow", lastName: "Call" },
    email: { email: `${userName}@example.com`, isEmailVerified: true },
    password: "Shutd0wn-Passw0rd!",
  };
}

/** A REST call whose body is sent in two halves; it stays in flight until `finish()`. */
function heldRestCall(port: number, pat: string) {
  const body = Buffer.from(JSON.stringify(importRequest()));
  let req!: ClientRequest;
  const answer = new Promise<{ status: number; json: any }>((resolve, reject) => {
    req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/management/v1/users/human/_import",
        agent: false,
        headers: { authorization: `Bearer ${pat}`, "content-type": "application/json", "content-length": body.length },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
  });
  req.write(body.subarray(0, 10));
  return { answer, finish: () => req.end(body.subarray(10)) };
}

/** A gRPC call on HTTP/2 whose message is sent in two halves. */
function heldGrpcCall(port: number, pat: string) {
  const session = http2Connect(`http://127.0.0.1:${port}`);
  const payload = toBinary(ImportHumanUserRequestSchema, create(ImportHumanUserRequestSchema, importRequest()));
  const frame = Buffer.alloc(5 + payload.length);
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  const stream: ClientHttp2Stream = session.request({
    ":method": "POST",
    ":path": "/zitadel.management.v1.ManagementService/ImportHumanUser",
    "content-type": "application/grpc",
    te: "trailers",
    authorization: `Bearer ${pat}`,
  });
  const answer = new Promise<string | undefined>((resolve, reject) => {
    let status: string | undefined;
    stream.on("response", (headers) => (status = headers["grpc-status"] as string | undefined));
    stream.on("trailers", (trailers) => (status = trailers["grpc-status"] as string));
    stream.on("close", () => {
      session.close();
      resolve(status);
    });
    stream.on("error", reject);
    stream.resume();
  });
  stream.write(frame.subarray(0, 8));
  return { answer, finish: () => stream.end(frame.subarray(8)) };
}

/** /debug/ready on a new connection each time (so "not accepting" shows as ECONNREFUSED). */
function readyStatus(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/debug/ready", agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    req.end();
  });
}

describe.skipIf(skip)("graceful shutdown of a real process", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-shutdown-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("on SIGTERM turns readiness false first, finishes every call in flight, and exits 0", async () => {
    const server = await startServer(dir, { LATCHKEY_SHUTDOWN_DELAY_MS: "400", LATCHKEY_SHUTDOWN_GRACE_MS: "15000" });
    expect(await readyStatus(server.port)).toBe(200);

    const calls = [
      heldRestCall(server.port, server.pat),
      heldRestCall(server.port, server.pat),
      heldRestCall(server.port, server.pat),
      heldGrpcCall(server.port, server.pat),
      heldGrpcCall(server.port, server.pat),
    ];
    await new Promise((resolve) => setTimeout(resolve, 200)); // every call has reached the server

    server.child.kill("SIGTERM");
    // Readiness flips before the port stops accepting: probes see 412 during the delay.
    let ready: number | string = 200;
    for (let i = 0; i < 50 && ready === 200; i++) ready = await readyStatus(server.port);
    expect(ready).toBe(412);

    await new Promise((resolve) => setTimeout(resolve, 600)); // past the delay: no longer accepting
    expect(await readyStatus(server.port)).toBe("ECONNREFUSED");

    for (const call of calls) call.finish();
    const rest = await Promise.all(calls.slice(0, 3).map((call) => call.answer as Promise<{ status: number; json: any }>));
    for (const answer of rest) {
      expect(answer.status).toBe(200);
      expect(answer.json.userId).toMatch(/^\d+$/);
    }
    expect(await Promise.all(calls.slice(3).map((call) => call.answer))).toEqual(["0", "0"]);

    expect(await server.exited).toBe(0);
    const messages = server.lines.map((line) => line.msg);
    const notReady = messages.indexOf("not ready");
    expect(notReady).toBeGreaterThan(messages.indexOf("shutting down"));
    expect(server.lines[notReady]!.reason).toBe("shutting down");
    expect(server.lines.filter((line) => line.msg === "call" && line.method.endsWith("/ImportHumanUser")).map((l) => l.code)).toEqual([
      "OK",
      "OK",
      "OK",
      "OK",
      "OK",
    ]);
    expect(messages.at(-1)).toBe("stopped");
    expect(messages).not.toContain("grace period over: closed connections with calls still in flight");
  });

  it("has flushed everything those calls wrote to the store", () => {
    const db = new Database(join(dir, "latchkey.db"), { readonly: true });
    try {
      const names = db.prepare("SELECT username FROM users1 WHERE username LIKE 'shutdown-%' ORDER BY username").all() as Array<{ username: string }>;
      expect(names.map((row) => row.username)).toEqual(["shutdown-1", "shutdown-2", "shutdown-3", "shutdown-4", "shutdown-5"]);
    } finally {
      db.close();
    }
  });
});
