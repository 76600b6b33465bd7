import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentFiles, extractWalkthroughs, matchesShown, readDocument, stepsOf, type SkippedBlock, type Walkthrough } from "../support/doc-walkthroughs.js";
import { spawnLatchkey, type LatchkeyProcess } from "../support/spawn-latchkey.js";

// A spawned server on a SQLite file; what is tested is the docs, so once.
const skip = process.env.TEST_STORE === "postgres";

const root = new URL("../../", import.meta.url);
const rootPath = root.pathname;
const found = documentFiles(root).map((file) => extractWalkthroughs(file, readDocument(root, file)));
const walkthroughs: Walkthrough[] = found.flatMap((result) => result.walkthroughs);
const skipped: SkippedBlock[] = found.flatMap((result) => result.skipped);

// Any order must do: each walkthrough brings its own users, organisation and token.
const seed = Number(process.env.DOCS_ORDER_SEED ?? Math.floor(Math.random() * 2 ** 31));
function shuffled<T>(items: readonly T[], s: number): T[] {
  const out = [...items];
  let state = s || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 48271) % 2147483647;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function runBash(script: string, cwd: string, env: Record<string, string>, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    // A process group of its own, so that a timeout ends whatever the walkthrough started.
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("the walkthroughs' parser", () => {
  it("takes comment lines right under a command as its output, and others as explanations", () => {
    expect(stepsOf(["# explained", "A=1", "echo $A", "# 1", "", "# also explained", "echo 2", "#   2"])).toEqual([
      { code: "A=1\necho $A", expected: "1" },
      { code: "echo 2", expected: "  2" },
    ]);
    expect(matchesShown('{"a":"1","b":"x"}\n', '{"a":"1","b":"…"}')).toBe(true);
    expect(matchesShown('{"a":"2","b":"x"}', '{"a":"1","b":"…"}')).toBe(false);
    expect(matchesShown("ID    NAME\n1     a\n2     b\n3     c\n", "ID NAME\n…\n2 b\n…")).toBe(true);
    expect(matchesShown("ID NAME\n2 b\n", "ID NAME\n…\n2 b\n…")).toBe(true);
    expect(matchesShown("ID NAME\n1 a\n", "ID NAME\n…\n2 b\n…")).toBe(false);
    expect(matchesShown("", "{}")).toBe(false);
  });

  it("finds the walkthroughs, and skips only the few marked blocks", () => {
    expect(walkthroughs.map((walkthrough) => `${walkthrough.file} › ${walkthrough.heading}`)).toEqual(
      expect.arrayContaining([
        "README.md › Quick start",
        "README.md › One call per wire",
        "README.md › Errors",
        "README.md › Sign-in lockout: the story with curl",
        "docs/applications.md › Walkthrough: a web application with curl",
        "docs/applications.md › From the command line",
        "docs/identity.md › 1. A key file and the JWT profile grant (what ZITADEL's SDKs do)",
        "docs/identity.md › 2. A client secret and `client_credentials`",
        "docs/identity.md › 3. A personal access token",
        "docs/identity.md › Calling the API",
        "docs/lockout.md › Walk-through: the lockout story with curl",
        "docs/lockout.md › Unlock links by mail",
        "docs/oidc.md › Walkthrough",
        "docs/operations.md › Server reflection",
        "docs/operations.md › CLI",
      ]),
    );
    // The Node snippet runs too: saved under its name, then `node token.mjs`.
    const keyFlow = walkthroughs.find((walkthrough) => walkthrough.heading.startsWith("1. A key file"));
    expect(keyFlow?.parts.some((part) => "saved" in part && part.saved.name === "token.mjs")).toBe(true);
    // Only these blocks are not run, each for a reason the doc states.
    expect(skipped.map((block) => `${block.file}: ${block.reason}`)).toEqual([
      "README.md: installs and starts the server (the docs test starts its own)",
      "README.md: the development commands themselves (the test suite runs these walkthroughs)",
      "docs/benchmarks.md: installs tools and runs the benchmark (minutes)",
      "docs/benchmarks.md: needs h2load and wrk",
      "docs/benchmarks.md: builds the server and loads the machine for about a minute",
      "docs/deployment.md: needs a PostgreSQL server at db.internal",
      "docs/fuzzing.md: the long run takes about 20 minutes",
      "docs/lockout.md: needs a mail server",
      "docs/lockout.md: needs a mail server",
      "docs/operations.md: needs grpcurl",
      "docs/operations.md: needs TLS certificates and a DNS name",
      "docs/operations.md: needs the server stopped",
    ]);
    // Shell examples are ```sh blocks, so none escapes the test under another name.
    for (const file of documentFiles(root)) expect(readDocument(root, file), file).not.toMatch(/^```(bash|shell|console|zsh)\s*$/m);
    // Every step's command is in a run walkthrough or a marked block: nothing silently dropped.
    for (const walkthrough of walkthroughs) {
      for (const part of walkthrough.parts) if ("steps" in part) expect(part.steps.length, walkthrough.heading).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(skip)(`the README's and docs' shell blocks against a fresh server (order seed ${seed})`, { timeout: 90_000 }, () => {
  let server: LatchkeyProcess;
  let work: string;
  let env: Record<string, string>;
  const rewrite = (text: string) => text.replaceAll("localhost:8080", `localhost:${server.port}`).replaceAll("127.0.0.1:8080", `127.0.0.1:${server.port}`);

  beforeAll(async () => {
    // A folder that looks like the checkout (so `npx latchkey`, `npx buf` and `--schema proto` work as written) with a fresh data/.
    work = mkdtempSync(join(tmpdir(), "latchkey-docs-"));
    for (const name of ["node_modules", "package.json", "bin", "src", "gen", "proto", "tsconfig.json"]) symlinkSync(join(rootPath, name), join(work, name));
    mkdirSync(join(work, "data"));
    // `latchkey` on the PATH, as after `npm link`.
    mkdirSync(join(work, ".bin"));
    symlinkSync(join(rootPath, "bin", "latchkey.js"), join(work, ".bin", "latchkey"));
    const port = await freePort();
    server = await spawnLatchkey({
      LATCHKEY_PORT: String(port),
      LATCHKEY_DATABASE: join(work, "data", "latchkey.db"),
      LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(work, "data", "admin.pat"),
    });
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => !name.startsWith("LATCHKEY_") && value !== undefined)) as Record<
      string,
      string
    >;
    env = {
      ...inherited,
      PATH: [join(work, ".bin"), join(rootPath, "node_modules", ".bin"), process.env.PATH].join(":"),
      // The server was started with this port; the CLI derives its URL from it, as on the server.
      LATCHKEY_PORT: String(port),
    };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(shuffled(walkthroughs, seed).map((walkthrough) => [`${walkthrough.file} › ${walkthrough.heading}`, walkthrough] as const))(
    "%s",
    async (_name, walkthrough) => {
      const out = mkdtempSync(join(work, ".out-"));
      const steps = walkthrough.parts.flatMap((part) => {
        if ("saved" in part) {
          writeFileSync(join(work, part.saved.name), rewrite(part.saved.content));
          return [];
        }
        return part.steps.map((step) => ({ code: rewrite(step.code), expected: step.expected === undefined ? undefined : rewrite(step.expected) }));
      });
      const script = steps.map((step, i) => `{\n${step.code}\n} > ${JSON.stringify(join(out, String(i)))} 2>&1`).join("\n");
      const { code, output } = await runBash(script, work, env, 40_000);
      const outputs = steps.map((_, i) => (existsSync(join(out, String(i))) ? readFileSync(join(out, String(i)), "utf8") : undefined));
      const ran = outputs.filter((text) => text !== undefined).length;
      const failing = steps[ran - 1];
      expect(code, `exit ${code} in step ${ran}:\n${failing?.code}\n--- its output:\n${outputs[ran - 1]}${output}`).toBe(0);
      for (const [i, step] of steps.entries()) {
        if (step.expected === undefined) continue;
        expect(matchesShown(outputs[i]!, step.expected), `step ${i + 1}:\n${step.code}\n--- shown:\n${step.expected}\n--- got:\n${outputs[i]}`).toBe(true);
      }
    },
  );
});
