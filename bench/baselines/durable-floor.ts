import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type ServerHttp2Stream } from "node:http2";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import Database from "better-sqlite3";
import { LockUserRequestSchema, LockUserResponseSchema, UnlockUserRequestSchema, UnlockUserResponseSchema } from "../../gen/zitadel/management_pb.js";

/**
 * Baseline: the durable floor. The same lock/unlock as Latchkey, written as
 * plainly as Node allows: the bearer token compared in memory, the user's
 * state from memory, the precondition checked, one event row and one
 * read-model row written to SQLite (WAL, synchronous=FULL), every write of one
 * event-loop turn committed in one transaction on the main thread, the answer
 * sent after the commit. gRPC on an HTTP/2 port; REST, Connect JSON and
 * gRPC-web on an HTTP/1.1 port. Prints both ports. Not a product: no
 * validation beyond what the walk needs.
 */
const token = process.env.FLOOR_TOKEN ?? "floor-token";
const db = new Database(join(mkdtempSync(join(tmpdir(), "latchkey-floor-")), "floor.db"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, user_id TEXT, sequence INTEGER, type TEXT, created_at TEXT, UNIQUE (user_id, sequence));
         CREATE TABLE users (id TEXT PRIMARY KEY, state TEXT, sequence INTEGER, change_date TEXT)`);
const insertEvent = db.prepare("INSERT INTO events (user_id, sequence, type, created_at) VALUES (?, ?, ?, ?)");
const upsertUser = db.prepare(
  "INSERT INTO users (id, state, sequence, change_date) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, sequence = excluded.sequence, change_date = excluded.change_date",
);

type State = "active" | "locked";
type Verb = "lock" | "unlock";
interface User {
  state: State;
  sequence: number;
}
interface Write {
  readonly id: string;
  readonly user: User;
  readonly type: string;
  readonly at: string;
  readonly answer: (error?: string) => void;
}

const users = new Map<string, User>();
let pending: Write[] = [];

/** Commits every write of this event-loop turn in one durable transaction, then answers them. */
const commitPending = db.transaction((writes: Write[]) => {
  for (const write of writes) {
    insertEvent.run(write.id, write.user.sequence, write.type, write.at);
    upsertUser.run(write.id, write.user.state, write.user.sequence, write.at);
  }
});
function flush() {
  const writes = pending;
  pending = [];
  commitPending(writes);
  for (const write of writes) write.answer();
}

function changeState(id: string, verb: Verb, answer: (error?: string, sequence?: number, at?: string) => void) {
  const user = users.get(id);
  if (!user) return answer("not found");
  if (verb === "lock" ? user.state !== "active" : user.state !== "locked") return answer("failed precondition");
  user.state = verb === "lock" ? "locked" : "active";
  user.sequence++;
  const at = new Date().toISOString();
  if (pending.length === 0) setImmediate(flush);
  pending.push({ id, user, type: `user.${verb}ed`, at, answer: () => answer(undefined, user.sequence, at) });
}

function createUser(): string {
  const id = String(200_000_000_000 + users.size);
  const user: User = { state: "active", sequence: 1 };
  users.set(id, user);
  const at = new Date().toISOString();
  insertEvent.run(id, 1, "user.machine.added", at);
  upsertUser.run(id, user.state, 1, at);
  return id;
}

// ---- gRPC and gRPC-web (binary protobuf in length-prefixed frames) -------------

const schemas = {
  lock: { request: LockUserRequestSchema, response: LockUserResponseSchema },
  unlock: { request: UnlockUserRequestSchema, response: UnlockUserResponseSchema },
};
const verbOf = (path: string): Verb | undefined => (path.endsWith("/LockUser") ? "lock" : path.endsWith("/UnlockUser") ? "unlock" : undefined);

function frame(payload: Uint8Array, flags = 0): Buffer {
  const framed = Buffer.alloc(5 + payload.length);
  framed[0] = flags;
  framed.writeUInt32BE(payload.length, 1);
  framed.set(payload, 5);
  return framed;
}
const grpcCode = (error: string) => (error === "not found" ? 5 : 9);

function responseMessage(verb: Verb, sequence: number, at: string): Uint8Array {
  const seconds = BigInt(Math.floor(Date.parse(at) / 1000));
  return toBinary(schemas[verb].response, create(schemas[verb].response, { details: { sequence: BigInt(sequence), changeDate: { seconds } } }));
}

function serveGrpc(stream: ServerHttp2Stream, path: string, authorization: string | undefined, body: Buffer) {
  const verb = verbOf(path);
  const fail = (code: number) => stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": code }, { endStream: true });
  if (authorization !== `Bearer ${token}`) return fail(16);
  if (!verb) return fail(12);
  const { id } = fromBinary(schemas[verb].request, body.subarray(5));
  changeState(id, verb, (error, sequence, at) => {
    if (error) return fail(grpcCode(error));
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(frame(responseMessage(verb, sequence!, at!)));
  });
}

// ---- HTTP/1.1: REST, Connect JSON, gRPC-web --------------------------------------

function serveHttp1(req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const path = req.url ?? "";
  const json = (status: number, value: unknown) => {
    const text = JSON.stringify(value);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  if (req.headers.authorization !== `Bearer ${token}`) return json(401, { code: 16, message: "unauthenticated" });
  if (path === "/management/v1/users/machine") return json(200, { userId: createUser() });
  const rest = /^\/management\/v1\/users\/([^/]+)\/_(lock|unlock)$/.exec(path);
  const verb = rest ? (rest[2] as Verb) : verbOf(path);
  if (!verb) return json(404, { code: 5, message: "Not Found" });
  const grpcWeb = req.headers["content-type"]?.startsWith("application/grpc-web");
  const id = rest ? rest[1]! : grpcWeb ? fromBinary(schemas[verb].request, body.subarray(5)).id : (JSON.parse(body.toString()) as { id: string }).id;
  changeState(id, verb, (error, sequence, at) => {
    if (grpcWeb) {
      const trailer = frame(Buffer.from(`grpc-status: ${error ? grpcCode(error) : 0}\r\n`), 0x80);
      const out = error ? trailer : Buffer.concat([frame(responseMessage(verb, sequence!, at!)), trailer]);
      res.writeHead(200, { "content-type": "application/grpc-web+proto", "content-length": out.length });
      return res.end(out);
    }
    if (error) return json(error === "not found" ? 404 : 400, { code: grpcCode(error), message: error });
    json(200, { details: { sequence: String(sequence), changeDate: at } });
  });
}

function readBody(source: NodeJS.ReadableStream, done: (body: Buffer) => void) {
  const chunks: Buffer[] = [];
  source.on("data", (chunk: Buffer) => chunks.push(chunk));
  source.on("end", () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

const http2 = createHttp2Server();
http2.on("stream", (stream, headers) => {
  readBody(stream, (body) => serveGrpc(stream, String(headers[":path"]), headers.authorization, body));
});
const http1 = createHttp1Server((req, res) => readBody(req, (body) => serveHttp1(req, res, body)));
http1.on("connection", (socket) => socket.setNoDelay(true));
http2.on("connection", (socket) => socket.setNoDelay(true));

const listening = (server: { listen: (port: number, host: string, cb: () => void) => unknown; address: () => unknown }) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
const [h2Port, h1Port] = await Promise.all([listening(http2), listening(http1)]);
process.stdout.write(`${JSON.stringify({ port: h1Port, h2Port })}\n`);
