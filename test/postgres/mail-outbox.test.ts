import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WRONG_PASSWORD, createHuman, lockoutClient, signIn } from "../support/lifecycle.js";
import { createTestClock, orgWithSchedule } from "../support/lockout-schedule.js";
import { dropSchema, newSchemaName, skipPostgres, urlWithSchema } from "../support/postgres.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { rejectionOf } from "../support/users.js";

/**
 * Two Latchkey instances on one PostgreSQL schema share the outbox. The mail
 * server is down while the mails are asked for, so they all wait; once it is
 * up and the retries are due (test clock), both deliver at once, again and
 * again, and every mail reaches the server once.
 */
describe.skipIf(skipPostgres())("the mail outbox with two instances on PostgreSQL", () => {
  const schema = newSchemaName("outbox");
  const dir = mkdtempSync(join(tmpdir(), "latchkey-outbox-"));
  let smtp: TestSmtpServer;
  let a: TestApp;
  let b: TestApp;
  const time = createTestClock();

  beforeAll(async () => {
    smtp = await startSmtpServer({ listening: false });
    const env = { LATCHKEY_DATABASE: urlWithSchema(schema), LATCHKEY_DB_POOL_SIZE: "5", LATCHKEY_SMTP_URL: smtp.url };
    a = await startTestApp({ dir, env, clock: time.clock });
    b = await startTestApp({ dir, env, clock: time.clock });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop({ keepData: true }), b?.stop({ keepData: true })]);
    await smtp?.stop();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends each mail once however the instances race", { timeout: 60_000 }, async () => {
    const { headers } = await orgWithSchedule(a, 1, { selfServiceUnlock: true });
    const users = await Promise.all(Array.from({ length: 6 }, () => createHuman(a, { headers })));
    for (const user of users) await rejectionOf(signIn(b, "grpc", user.userName, WRONG_PASSWORD));
    // Half are asked for on each instance; both deliver several rounds at once.
    await Promise.all(users.map((user, i) => lockoutClient(i % 2 ? a : b, "connect-binary").sendUnlockLink({ userId: user.userId }, { headers })));
    await Promise.all([a.app.mailOutbox!.deliver(), b.app.mailOutbox!.deliver()]);
    const pendingNow = await a.app.store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM mail_outbox1");
    expect(Number(pendingNow[0]!.n)).toBe(users.length);
    await smtp.start();
    time.advance(60_000);
    await Promise.all([a.app.mailOutbox!.deliver(), b.app.mailOutbox!.deliver(), a.app.mailOutbox!.deliver(), b.app.mailOutbox!.deliver()]);
    for (const user of users) await smtp.nextMail(`${user.userName}@example.com`);
    await Promise.all([a.app.mailOutbox!.deliver(), b.app.mailOutbox!.deliver()]);
    const perRecipient = new Map<string, number>();
    for (const mail of smtp.received) for (const to of mail.to) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    expect([...perRecipient.values()]).toEqual(users.map(() => 1));
    const sent = await a.app.store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM events WHERE event_type = 'mail.sent'");
    expect(Number(sent[0]!.n)).toBe(users.length);
    const pending = await b.app.store.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM mail_outbox1");
    expect(Number(pending[0]!.n)).toBe(0);
  });
});
