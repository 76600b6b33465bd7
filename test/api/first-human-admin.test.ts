import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserState } from "../../gen/zitadel/user_pb.js";
import { MEMBERS_TABLE } from "../../src/projection/access-projections.js";
import { signIn } from "../support/lifecycle.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

let t: TestApp;
let password: string;
beforeAll(async () => {
  t = await startTestApp();
  password = readFileSync(join(t.dir, "admin.password"), "utf8").trim();
});
afterAll(() => t.stop());

describe("the first start's human admin", () => {
  it("writes a generated password next to the admin token, readable by the owner only", () => {
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}-Aa1$/);
    expect(statSync(join(t.dir, "admin.password")).mode & 0o777).toBe(0o600);
    expect(t.app.instance.created?.adminPasswordPath).toBe(join(t.dir, "admin.password"));
  });

  it("is an active person named admin in the default organisation, owner of the instance", async () => {
    const id = t.app.instance.created!.humanAdminUserId!;
    const { user } = await t.client("grpc").getUserByID({ id }, { headers: t.auth() });
    expect(user).toMatchObject({ userName: "admin", state: UserState.ACTIVE });
    expect(user?.type.case).toBe("human");
    expect(user?.details?.resourceOwner).toBe(t.app.instance.defaultOrgId);
    // A session for it proves the password; its permissions are the instance owner's.
    const { sessionId } = await signIn(t, "grpc", "admin", password);
    expect(sessionId).toBeTruthy();
    expect(await rejectionOf(signIn(t, "grpc", "admin", `${password}x`))).toMatchObject({ rawMessage: "Password is invalid (COMMAND-3M0fs)" });
    const { instanceId } = t.app.instance;
    const roles = await t.app.store.query<{ roles: string }>(`SELECT roles FROM ${MEMBERS_TABLE} WHERE instance_id = ? AND aggregate_id = ? AND user_id = ?`, [
      instanceId,
      instanceId,
      id,
    ]);
    expect(roles.map((row) => JSON.parse(row.roles))).toEqual([["IAM_OWNER"]]);
  });

  it("never logs the password or stores it in events", async () => {
    const everything = JSON.stringify(await t.app.store.readAll(0, 100_000)) + t.logLines.join("");
    expect(everything).not.toContain(password);
  });

  it("is created once: a restart leaves the file and the user as they are", async () => {
    const dir = t.dir;
    await t.stop({ keepData: true });
    t = await startTestApp({ dir });
    expect(t.app.instance.created).toBeUndefined();
    expect(readFileSync(join(dir, "admin.password"), "utf8").trim()).toBe(password);
    const { sessionId } = await signIn(t, "grpc", "admin", password);
    expect(sessionId).toBeTruthy();
  });
});

describe("an existing admin password file", () => {
  it("stops a first start, which would otherwise replace it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "latchkey-password-"));
    writeFileSync(join(dir, "admin.password"), "someone else's\n");
    const failure = await rejectionOf(startTestApp({ dir }));
    expect(String(failure)).toContain("LATCHKEY_FIRST_INSTANCE_ADMIN_PASSWORD_PATH / --first-instance-admin-password-path");
    expect(readFileSync(join(dir, "admin.password"), "utf8")).toBe("someone else's\n");
    expect(existsSync(join(dir, "admin.pat"))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
