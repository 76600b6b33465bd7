import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { TEST_PASSWORD_HASH_COST } from "./password-cost.js";

export interface LatchkeyProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Every stdout and stderr line so far. */
  readonly output: string[];
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

const root = new URL("../..", import.meta.url).pathname;

/**
 * Starts `node --import tsx src/main.ts` (or the given node arguments, e.g.
 * the compiled `dist/main.js`) with the given LATCHKEY_* settings on a free
 * loopback port and resolves once it logs that it listens.
 */
export function spawnLatchkey(
  env: Record<string, string>,
  timeoutMs = 20_000,
  nodeArgs: readonly string[] = ["--import", "tsx", "src/main.ts"],
): Promise<LatchkeyProcess> {
  const settings = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("LATCHKEY_")));
  const child = spawn(process.execPath, nodeArgs, {
    cwd: root,
    env: {
      ...settings,
      LATCHKEY_PORT: "0",
      LATCHKEY_HOST: "127.0.0.1",
      LATCHKEY_LOG_LEVEL: "info",
      LATCHKEY_PASSWORD_HASH_COST: TEST_PASSWORD_HASH_COST,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`latchkey did not start within ${timeoutMs} ms:\n${output.join("\n")}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`latchkey exited with ${code} before listening:\n${output.join("\n")}`));
    });
    createInterface({ input: child.stderr! }).on("line", (line) => output.push(line));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      let entry: { msg?: string; port?: number };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg !== "listening" || typeof entry.port !== "number") return;
      clearTimeout(timer);
      const port = entry.port;
      resolve({
        child,
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        output,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}
