import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { WRONG_PASSWORD, createHuman, signIn, uniqueName } from "../support/lifecycle.js";
import { orgWithSchedule } from "../support/lockout-schedule.js";
import { startSmtpServer, unlockLinkIn, type TestSmtpServer } from "../support/smtp.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

// The command talks REST to a server; store-independent, so once.
const skip = process.env.TEST_STORE === "postgres";

async function latchkey(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { LATCHKEY_LOG_LEVEL: "warn", ...env }, { out: (text) => (stdout += text), err: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe.skipIf(skip)("latchkey lockout", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LATCHKEY_TRUSTED_PROXIES: "127.0.0.1,::1" } });
  });
  afterAll(() => t.stop());

  it("sets, shows and resets an organisation's schedule, lists and removes address blocks", async () => {
    const org = await t.client("connect-binary").addOrg({ name: uniqueName("cli-org") }, { headers: t.auth() });
    const common = ["--url", t.baseUrl, "--token", t.pat, "--org", org.id];
    const schedule = '{"firstLockSeconds":300,"mode":"LOCKOUT_MODE_ACCOUNT_AND_ADDRESS","globalMaxPasswordAttempts":10,"showLockEnd":true}';
    const set = await latchkey(["lockout", "set-schedule", "--schedule", schedule, ...common]);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout).details.resourceOwner).toBe(org.id);
    const shown = JSON.parse((await latchkey(["lockout", "schedule", ...common])).stdout);
    expect(shown.schedule).toEqual({ firstLockSeconds: 300, mode: "LOCKOUT_MODE_ACCOUNT_AND_ADDRESS", globalMaxPasswordAttempts: 10, showLockEnd: true });
    expect(shown.isDefault).toBeUndefined();

    const headers = { ...t.auth(), "x-zitadel-orgid": org.id };
    await t.client("connect-binary").addCustomLockoutPolicy({ maxPasswordAttempts: 1 }, { headers });
    const { userId, userName } = await createHuman(t, { headers });
    await rejectionOf(signIn(t, "connect-json", userName, WRONG_PASSWORD, { ...t.auth(), "x-forwarded-for": "192.0.2.5" }));
    const blocks = JSON.parse((await latchkey(["lockout", "blocks", userId, ...common])).stdout);
    expect(blocks.result.map((block: { address: string }) => block.address)).toEqual(["192.0.2.5"]);
    expect((await latchkey(["lockout", "unblock", userId, "192.0.2.5", ...common])).code).toBe(0);
    expect(JSON.parse((await latchkey(["lockout", "blocks", userId, ...common])).stdout).result).toBeUndefined();

    expect((await latchkey(["lockout", "reset-schedule", ...common])).code).toBe(0);
    expect(JSON.parse((await latchkey(["lockout", "schedule", ...common])).stdout).isDefault).toBe(true);
  });

  it("reports bad input and refusals with the server's message", async () => {
    const common = ["--url", t.baseUrl, "--token", t.pat];
    const notJson = await latchkey(["lockout", "set-schedule", "--schedule", "{", ...common]);
    expect([notJson.code, notJson.stderr]).toEqual([2, expect.stringContaining("--schedule must be JSON")]);
    const invalid = await latchkey(["lockout", "set-schedule", "--schedule", '{"firstLockSeconds":600,"maxLockSeconds":60}', ...common]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("the server answered 400: maxLockSeconds must be 0 or at least firstLockSeconds (LOCKOUT-Sch400)");
    const noAction = await latchkey(["lockout", ...common]);
    expect([noAction.code, noAction.stderr]).toEqual([2, expect.stringContaining("lockout needs an action: schedule, set-schedule")]);
    const noAddress = await latchkey(["lockout", "unblock", "123", ...common]);
    expect([noAddress.code, noAddress.stderr]).toEqual([2, expect.stringContaining("needs a user id and an address")]);
  });
});

describe.skipIf(skip)("latchkey lockout send-unlock-link", () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ env: { LATCHKEY_SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
  });

  it("mails a locked user its unlock link, and says why when it cannot", async () => {
    const { orgId, headers } = await orgWithSchedule(t, 1, { selfServiceUnlock: true });
    const common = ["--url", t.baseUrl, "--token", t.pat, "--org", orgId];
    const { userId, userName } = await createHuman(t, { headers });
    const refused = await latchkey(["lockout", "send-unlock-link", userId, ...common]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("LOCKOUT-Lnk409");
    await rejectionOf(signIn(t, "connect-json", userName, WRONG_PASSWORD));
    const sent = await latchkey(["lockout", "send-unlock-link", userId, ...common]);
    expect(sent.code).toBe(0);
    expect(unlockLinkIn(await smtp.nextMail(`${userName}@example.com`))).toContain("/ui/login/unlock?token=");
  });
});
