import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnLatchkey, type LatchkeyProcess } from "../support/spawn-latchkey.js";

// `npm start` serves the bundle that `npm run build` writes; this runs it as a
// real process on a SQLite file, once (the store under test does not matter).
const skip = process.env.TEST_STORE === "postgres";
const root = new URL("../..", import.meta.url).pathname;

describe.skipIf(skip)("the compiled server (npm start)", () => {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-compiled-"));
  const env = { LATCHKEY_DATABASE: join(dir, "latchkey.db"), LATCHKEY_FIRST_INSTANCE_PAT_PATH: join(dir, "admin.pat") };
  // The same node arguments as the start script in package.json.
  const startScript = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.start as string;
  const nodeArgs = startScript.split("&& node ")[1]!.split(" ");
  let server: LatchkeyProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${server!.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it("builds, serves lock and unlock from dist/main.js (writer thread included) and keeps them across a restart", async () => {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
    expect(nodeArgs).toContain("dist/main.js");

    server = await spawnLatchkey(env, 20_000, nodeArgs);
    const token = readFileSync(env.LATCHKEY_FIRST_INSTANCE_PAT_PATH, "utf8").trim();
    const created = await call("POST", "/management/v1/users/machine", token, { userName: "compiled", name: "Compiled" });
    expect(created.status).toBe(200);
    const id = created.body.userId as string;
    expect((await call("POST", `/management/v1/users/${id}/_lock`, token, {})).status).toBe(200);
    expect((await call("POST", `/management/v1/users/${id}/_unlock`, token, {})).status).toBe(200);
    const again = await call("POST", `/management/v1/users/${id}/_unlock`, token, {});
    expect(again.status).toBe(400);
    expect(again.body.message).toContain("COMMAND-4M0ds");
    await server.stop();
    expect(server.child.exitCode).toBe(0);

    server = await spawnLatchkey(env, 20_000, nodeArgs);
    const user = await call("GET", `/management/v1/users/${id}`, token);
    expect(user.body.user.state).toBe("USER_STATE_ACTIVE");
    expect(Number(user.body.user.details.sequence)).toBe(3);
  });
});
