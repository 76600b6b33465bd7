import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { create, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { LockUserRequestSchema, UnlockUserRequestSchema } from "../gen/zitadel/management_pb.js";
import type { LoadResult, Scenario } from "./drivers/load.js";

/** The lock/unlock workload shared by `npm run bench` and the CPU probe: requests per wire, and the load driver. */
export type Wire = "grpc" | "connect-json" | "rest" | "grpc-web";

const root = new URL("..", import.meta.url).pathname;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

const frame = (schema: DescMessage, id: string) => {
  const payload = toBinary(schema, create(schema, { id }));
  const framed = Buffer.alloc(5 + payload.length);
  framed.writeUInt32BE(payload.length, 1);
  framed.set(payload, 5);
  return framed.toString("base64");
};

/** Waits until a started Latchkey answers its health check; fails if it exits first. */
export async function untilHealthy(child: ChildProcess, port: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error("Latchkey exited during start-up");
    const ok = await fetch(`http://127.0.0.1:${port}/management/v1/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const method = (name: string) => `/zitadel.management.v1.ManagementService/${name}`;

/** Lock and unlock pairs for each user of a slot (or unlocks only), in the given wire's format. */
export function lockUnlockPairs(wire: Wire, ids: string[], token: string, unlockOnly = false) {
  const auth = { authorization: `Bearer ${token}` };
  return ids.flatMap((id) =>
    (unlockOnly ? ["Unlock", "Unlock"] : ["Lock", "Unlock"]).map((verb) => {
      const schema = verb === "Lock" ? LockUserRequestSchema : UnlockUserRequestSchema;
      switch (wire) {
        case "grpc":
          return { path: method(`${verb}User`), headers: { ...auth, "content-type": "application/grpc", te: "trailers" }, body: frame(schema, id) };
        case "grpc-web":
          return {
            path: method(`${verb}User`),
            headers: { ...auth, "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
            body: frame(schema, id),
          };
        case "connect-json":
          return {
            path: method(`${verb}User`),
            headers: { ...auth, "content-type": "application/json" },
            body: Buffer.from(JSON.stringify({ id })).toString("base64"),
          };
        case "rest":
          return {
            path: `/management/v1/users/${id}/_${verb.toLowerCase()}`,
            headers: { ...auth, "content-type": "application/json" },
            body: Buffer.from("{}").toString("base64"),
          };
      }
    }),
  );
}

/** Runs the closed-loop driver (bench/drivers/load.ts) in its own process; `track` sees the child, to kill it on exit. */
export async function drive(scenario: Scenario, track?: (child: ChildProcess, running: boolean) => void): Promise<LoadResult> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/drivers/load.ts"], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  track?.(child, true);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stdin!.end(JSON.stringify(scenario));
  await new Promise((resolve) => child.once("exit", resolve));
  track?.(child, false);
  return JSON.parse(output) as LoadResult;
}
