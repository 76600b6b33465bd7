import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasOpenssl, makeSelfSignedCertificate } from "../support/certificate.js";
import { PASSWORD, WRONG_PASSWORD, lockoutClient, signIn, uniqueName } from "../support/lifecycle.js";
import { createTestClock, orgWithSchedule } from "../support/lockout-schedule.js";
import { createLoginClient } from "../support/login-client.js";
import { startSmtpServer, unlockLinkIn, type TestSmtpServer } from "../support/smtp.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";
import { Code } from "@connectrpc/connect";

// The outbox keeps a mail the server could not take, and sends it once the server is back.
const MINUTE = 60_000;

async function metric(t: TestApp, name: string): Promise<number> {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(" ")[1]);
}

async function lockedHuman(t: TestApp, headers: Record<string, string>) {
  const userName = uniqueName("outbox");
  const email = `${userName}@example.com`;
  const { userId } = await t
    .client("connect-binary")
    .importHumanUser(
      { userName, profile: { firstName: "Chien-Shiung", lastName: "Wu" }, email: { email, isEmailVerified: true }, password: PASSWORD },
      { headers },
    );
  await rejectionOf(signIn(t, "connect-binary", userName, WRONG_PASSWORD));
  return { userId, userName, email };
}

describe("the mail outbox", { timeout: 60_000 }, () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  const time = createTestClock();
  beforeAll(async () => {
    // The mail server is down when the link is asked for.
    smtp = await startSmtpServer({ listening: false });
    t = await startTestApp({ clock: time.clock, env: { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_METRICS_INTERVAL_MS: "0" } });
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
  });

  it("keeps a mail while the server is down, counts and logs the failure, and sends it once the server is up", async () => {
    const { headers } = await orgWithSchedule(t, 1, { selfServiceUnlock: true });
    const user = await lockedHuman(t, headers);
    await lockoutClient(t, "connect-binary").sendUnlockLink({ userId: user.userId }, { headers });
    expect(await t.app.mailOutbox!.deliver()).toBe(0);
    expect(await metric(t, "latchkey_mail_send_failures_total")).toBeGreaterThanOrEqual(1);
    expect(await metric(t, "latchkey_mail_outbox_pending")).toBe(1);
    const warning = t.logLines.find((line) => line.includes("sending a mail failed"));
    expect(warning).toBeDefined();
    expect(warning).not.toContain(user.email);
    expect(warning).not.toContain("token=");

    // Not due yet: nothing is tried before the backoff has passed.
    await smtp.start();
    expect(await t.app.mailOutbox!.deliver()).toBe(0);
    expect(smtp.received).toEqual([]);
    time.advance(MINUTE);
    expect(await t.app.mailOutbox!.deliver()).toBe(1);
    const mail = await smtp.nextMail(user.email);
    expect(await metric(t, "latchkey_mail_outbox_pending")).toBe(0);
    expect(await metric(t, "latchkey_mail_sent_total")).toBe(1);
    // The link in the retried mail works.
    const link = new URL(unlockLinkIn(mail));
    expect((await createLoginClient(t.baseUrl).get(link.pathname + link.search)).status).toBe(200);
  });
});

describe.skipIf(!hasOpenssl())("a mail server that offers STARTTLS", { timeout: 60_000 }, () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  const dir = mkdtempSync(join(tmpdir(), "latchkey-smtp-tls-"));
  beforeAll(async () => {
    const certificate = makeSelfSignedCertificate(dir);
    smtp = await startSmtpServer({ tls: { cert: certificate.cert, key: readFileSync(certificate.keyPath) } });
    // A self-signed certificate: trusted through the URL's tls options, as nodemailer reads them.
    t = await startTestApp({ env: { LATCHKEY_SMTP_URL: `${smtp.url}?tls.rejectUnauthorized=false` } });
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("upgrades the connection before it sends", async () => {
    const { headers } = await orgWithSchedule(t, 1, { selfServiceUnlock: true });
    const user = await lockedHuman(t, headers);
    await lockoutClient(t, "connect-binary").sendUnlockLink({ userId: user.userId }, { headers });
    expect((await smtp.nextMail(user.email)).secure).toBe(true);
  });
});

describe("without a mail server", { timeout: 60_000 }, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  it("offers no link on the locked page and refuses SendUnlockLink with LOCKOUT-Lnk503", async () => {
    const { headers } = await orgWithSchedule(t, 1, { selfServiceUnlock: true });
    const user = await lockedHuman(t, headers);
    const login = createLoginClient(t.baseUrl);
    await login.get("/ui/login/login");
    await login.post("/ui/login/loginname", { loginName: user.userName });
    const page = await login.post("/ui/login/password", { password: PASSWORD });
    expect(page.html).toContain("<h1>User is locked</h1>");
    expect(page.html).not.toContain("Send me an unlock link");
    expect(page.html).not.toContain("/unlock/send");
    expectZitadelError(
      await rejectionOf(lockoutClient(t, "connect-binary").sendUnlockLink({ userId: user.userId }, { headers })),
      Code.FailedPrecondition,
      "Unlock links need a mail server (LATCHKEY_SMTP_URL)",
      "LOCKOUT-Lnk503",
    );
    expect(t.app.mailOutbox).toBeUndefined();
  });
});
