import { spawn } from "node:child_process";
import { TEST_PASSWORD_HASH_COST } from "./password-cost.js";

export interface Exit {
  /** The exit code; null when the process had to be killed (it did not exit by itself). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from the first line on stderr to the exit; undefined without stderr output. */
  readonly exitAfterMessageMs?: number;
}

const root = new URL("../..", import.meta.url).pathname;

/**
 * Runs the `latchkey` bin (or other node arguments) with only the given
 * LATCHKEY_* settings and waits for it to exit by itself, at most
 * `timeoutMs`; then it is killed and `code` is null.
 */
export function runToExit(
  args: readonly string[],
  env: Record<string, string>,
  options: { readonly timeoutMs?: number; readonly cwd?: string; readonly nodeArgs?: readonly string[] } = {},
): Promise<Exit> {
  const nodeArgs = options.nodeArgs ?? [`${root}bin/latchkey.js`];
  const settings = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("LATCHKEY_")));
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: options.cwd ?? root,
    env: { ...settings, LATCHKEY_HOST: "127.0.0.1", LATCHKEY_LOG_LEVEL: "warn", LATCHKEY_PASSWORD_HASH_COST: TEST_PASSWORD_HASH_COST, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let firstMessageAt: number | undefined;
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on("data", (chunk: Buffer) => {
    firstMessageAt ??= performance.now();
    stderr += chunk;
  });
  return new Promise((resolve) => {
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 30_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      const exitAfterMessageMs = firstMessageAt === undefined ? undefined : performance.now() - firstMessageAt;
      resolve({ code: killed ? null : code, stdout, stderr, exitAfterMessageMs });
    });
  });
}
