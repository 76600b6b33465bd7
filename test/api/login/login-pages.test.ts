import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../support/test-app.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, setLockoutPolicy, uniqueName, userEvents } from "../../support/lifecycle.js";
import { alertText, createLoginClient, type LoginClient } from "../../support/login-client.js";

const MAX_ATTEMPTS = 3;

let t: TestApp;
beforeAll(async () => {
  // The default hash cost: an unknown name must take as long as a wrong password, and only a real cost shows it.
  t = await startTestApp({ env: { LATCHKEY_PASSWORD_HASH_COST: "15" } });
  await setLockoutPolicy(t, MAX_ATTEMPTS);
});
afterAll(() => t.stop());

/** Login name, then password; returns the answer to the password POST. */
async function signIn(client: LoginClient, loginName: string, password: string) {
  await client.get("/ui/login/login");
  const named = await client.post("/ui/login/loginname", { loginName });
  expect(named.status).toBe(303);
  expect(named.location).toBe("/ui/login/password");
  const page = await client.get("/ui/login/password");
  expect(page.status).toBe(200);
  return client.post("/ui/login/password", { password });
}

async function expectSignedIn(client: LoginClient, answer: { status: number; location: string | null }) {
  expect(answer.status).toBe(303);
  expect(answer.location).toBe("/ui/login/login/success");
  const success = await client.get(answer.location!);
  expect(success.status).toBe(200);
  expect(success.html).toContain("<h1>Login successful</h1>");
  // The sign-in is over: the cookie is gone.
  expect(success.headers.get("set-cookie")).toMatch(/Max-Age=0/);
  expect(client.cookie()).toBeUndefined();
}

const eventTypes = async (userId: string) => (await userEvents(t, userId)).map((event) => event.type);

describe("the login pages", () => {
  it("serve an accessible page with strict headers and a scoped HttpOnly cookie", async () => {
    const response = await fetch(`${t.baseUrl}/ui/login/login`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/(^|; )default-src 'none'(;|$)/);
    expect(csp).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
    expect(csp).toMatch(/(^|; )form-action 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval|https?:/);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^latchkey-login=[^;]+; /);
    expect(cookie).toContain("Path=/ui/login");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure");
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).not.toMatch(/<script|style=|(src|href)="https?:/i);
    expect(html).toMatch(/<label for="loginName">Loginname<\/label>/);
    expect(html).toMatch(/<input type="text" id="loginName" name="loginName"[^>]* autocomplete="username"[^>]* autofocus>/);
    expect(html).toMatch(/<input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}">/);
    // The style sheet is Latchkey's own.
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
    expect(href).toBe("/ui/login/resources/login.css");
    const css = await fetch(t.baseUrl + href);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toContain(":focus-visible");
  });

  it("sign a person in with login name and password, through a session", async () => {
    const { userId, userName } = await createHuman(t);
    const client = createLoginClient(t.baseUrl);
    const answer = await signIn(client, userName, PASSWORD);
    await expectSignedIn(client, answer);
    expect(await eventTypes(userId)).toContain("user.human.password.check.succeeded");
    // The password page named the user and asked for the current password.
    const again = createLoginClient(t.baseUrl);
    await again.get("/ui/login/login");
    await again.post("/ui/login/loginname", { loginName: userName });
    const page = await again.get("/ui/login/password");
    expect(page.html).toContain(`<p class="user">${userName}</p>`);
    expect(page.html).toMatch(
      /<label for="password">Password<\/label>\n<input type="password" id="password" name="password" autocomplete="current-password" required autofocus>/,
    );
  });

  it("answer an unknown user exactly as a wrong password, and take as long", async () => {
    const { userId, userName } = await createHuman(t);
    const unknownName = uniqueName("nobody");
    const timed = async (loginName: string) => {
      const client = createLoginClient(t.baseUrl);
      await client.get("/ui/login/login");
      await client.post("/ui/login/loginname", { loginName });
      const started = performance.now();
      const answer = await client.post("/ui/login/password", { password: WRONG_PASSWORD });
      return { answer, ms: performance.now() - started, csrf: client.csrf()! };
    };
    const wrong = await timed(userName);
    const unknown = await timed(unknownName);
    expect(unknown.answer.status).toBe(wrong.answer.status);
    expect(alertText(wrong.answer.html)).toBe("Username or Password is invalid");
    const normalise = (html: string, name: string, csrf: string) => html.replaceAll(name, "NAME").replaceAll(csrf, "TOKEN");
    expect(normalise(unknown.answer.html, unknownName, unknown.csrf)).toBe(normalise(wrong.answer.html, userName, wrong.csrf));
    expect([...unknown.answer.headers.keys()].sort()).toEqual([...wrong.answer.headers.keys()].sort());
    // The unknown name pays for a hash verification too (without it, it would answer in a small fraction of the time).
    expect(unknown.ms).toBeGreaterThan(wrong.ms * 0.25);
    expect((await eventTypes(userId)).filter((type) => type === "user.human.password.check.failed")).toHaveLength(1);
  });

  it("lock the user on the last wrong password, show the locked page without telling whether the password was right, and sign in after an unlock", async () => {
    const { userId, userName } = await createHuman(t);
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const answer = await signIn(createLoginClient(t.baseUrl), userName, WRONG_PASSWORD);
      expect(alertText(answer.html)).toBe("Username or Password is invalid");
    }
    const locking = await signIn(createLoginClient(t.baseUrl), userName, WRONG_PASSWORD);
    expect(locking.status).toBe(200);
    expect(locking.html).toContain("<h1>User is locked</h1>");
    expect(alertText(locking.html)).toBe("User is locked. Contact your administrator to unlock it.");
    const rightButLocked = await signIn(createLoginClient(t.baseUrl), userName, PASSWORD);
    const wrongAndLocked = await signIn(createLoginClient(t.baseUrl), userName, WRONG_PASSWORD);
    expect(rightButLocked.html).toBe(locking.html);
    expect(wrongAndLocked.html).toBe(locking.html);
    // While locked, no password is checked: the count stays at the limit.
    const types = await eventTypes(userId);
    expect(types.filter((type) => type === "user.human.password.check.failed")).toHaveLength(MAX_ATTEMPTS);
    expect(types).not.toContain("user.human.password.check.succeeded");

    await t.client("grpc").unlockUser({ id: userId }, { headers: t.auth() });
    const client = createLoginClient(t.baseUrl);
    await expectSignedIn(client, await signIn(client, userName, PASSWORD));
  });

  it("refuse a form without the cookie's token with 403 and change nothing", async () => {
    const { userId, userName } = await createHuman(t);
    const client = createLoginClient(t.baseUrl);
    await client.get("/ui/login/login");
    await client.post("/ui/login/loginname", { loginName: userName });
    await client.get("/ui/login/password");
    const before = await eventTypes(userId);
    const other = createLoginClient(t.baseUrl);
    await other.get("/ui/login/login");
    const attempts = [
      await client.post("/ui/login/password", { csrf: null, password: WRONG_PASSWORD }),
      await client.post("/ui/login/password", { csrf: "x".repeat(43), password: WRONG_PASSWORD }),
      await client.post("/ui/login/password", { csrf: "", password: WRONG_PASSWORD }),
      // Another browser's token does not fit this cookie.
      await client.post("/ui/login/password", { csrf: other.csrf()!, password: PASSWORD }),
    ];
    const cookie = client.cookie();
    client.setCookie(undefined);
    attempts.push(await client.post("/ui/login/password", { password: PASSWORD }));
    attempts.push(await client.post("/ui/login/loginname", { loginName: "someone-else" }));
    client.setCookie(cookie);
    for (const answer of attempts) {
      expect(answer.status).toBe(403);
      expect(answer.headers.get("set-cookie")).toBeNull();
      expect(alertText(answer.html)).toBe("The form is no longer valid. Reload the page and try again.");
    }
    // A form posted as text/plain (what a cross-site form can send without a preflight) is refused too.
    const plain = await fetch(`${t.baseUrl}/ui/login/password`, {
      method: "POST",
      headers: { cookie: cookie!, "content-type": "text/plain" },
      body: `csrf=${client.csrf()}&password=${WRONG_PASSWORD}`,
      redirect: "manual",
    });
    expect(plain.status).toBe(403);
    // A form above 16 KiB is refused before it is read whole.
    const huge = await client.post("/ui/login/password", { password: "x".repeat(17 * 1024) });
    expect(huge.status).toBe(413);
    expect(alertText(huge.html)).toBe("The form is too large.");
    expect(await eventTypes(userId)).toEqual(before);
    // The same browser with its token still goes on, with the name it gave.
    await expectSignedIn(client, await client.post("/ui/login/password", { password: PASSWORD }));
  });

  it("ask for a new password on the first sign-in when the user must change it", async () => {
    const userName = uniqueName("change");
    const { userId } = await t.client("connect-binary").importHumanUser(
      {
        userName,
        profile: { firstName: "First", lastName: "Time" },
        email: { email: `${userName}@example.com`, isEmailVerified: true },
        password: PASSWORD,
        passwordChangeRequired: true,
      },
      { headers: t.auth() },
    );
    const client = createLoginClient(t.baseUrl);
    const answer = await signIn(client, userName, PASSWORD);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe("/ui/login/password/change");
    const page = await client.get("/ui/login/password/change");
    expect(page.html).toContain("<h1>Change Password</h1>");
    expect(page.html).toMatch(/id="oldPassword" name="oldPassword" autocomplete="current-password" required autofocus>/);
    expect(page.html).toMatch(/id="newPassword" name="newPassword" autocomplete="new-password"/);
    const NEW = "N3w!Passw0rd-x";
    const tries: [Record<string, string>, string][] = [
      [{ oldPassword: PASSWORD, newPassword: NEW, newPasswordConfirmation: `${NEW}y` }, "Passwordconfirmation is wrong"],
      [{ oldPassword: PASSWORD, newPassword: "Sh0rt!", newPasswordConfirmation: "Sh0rt!" }, "Password is too short"],
      [{ oldPassword: PASSWORD, newPassword: "n3w!password", newPasswordConfirmation: "n3w!password" }, "Password must contain upper case"],
      [{ oldPassword: WRONG_PASSWORD, newPassword: NEW, newPasswordConfirmation: NEW }, "Password is invalid"],
    ];
    for (const [fields, message] of tries) {
      const refused = await client.post("/ui/login/password/change", fields);
      expect(refused.status, message).toBe(400);
      expect(alertText(refused.html)).toBe(message);
      expect(refused.html).toContain(`aria-invalid="true" aria-describedby="error"`);
    }
    // The wrong old password counted toward the lockout; the others changed nothing.
    const types = await eventTypes(userId);
    expect(types.filter((type) => type === "user.human.password.check.failed")).toHaveLength(1);
    expect(types.filter((type) => type === "user.human.password.changed")).toHaveLength(0);

    await expectSignedIn(client, await client.post("/ui/login/password/change", { oldPassword: PASSWORD, newPassword: NEW, newPasswordConfirmation: NEW }));
    // The new password signs in directly; the old one no longer does.
    const next = createLoginClient(t.baseUrl);
    await expectSignedIn(next, await signIn(next, userName, NEW));
    const old = await signIn(createLoginClient(t.baseUrl), userName, PASSWORD);
    expect(alertText(old.html)).toBe("Username or Password is invalid");
  });

  it("refuse the password change page without a checked password", async () => {
    const client = createLoginClient(t.baseUrl);
    await client.get("/ui/login/login");
    const page = await client.get("/ui/login/password/change");
    expect(page.status).toBe(303);
    expect(page.location).toBe("/ui/login/loginname");
    const posted = await client.post("/ui/login/password/change", {
      oldPassword: PASSWORD,
      newPassword: "N3w!Passw0rd-x",
      newPasswordConfirmation: "N3w!Passw0rd-x",
    });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe("/ui/login/loginname");
  });

  it("say plainly what is wrong with a form, an unknown request, a path or a method", async () => {
    const client = createLoginClient(t.baseUrl);
    await client.get("/ui/login/login");
    const empty = await client.post("/ui/login/loginname", { loginName: "  " });
    expect(empty.status).toBe(400);
    expect(alertText(empty.html)).toBe("Username is empty");
    expect(empty.html).toMatch(/aria-invalid="true" aria-describedby="error">/);
    await client.post("/ui/login/loginname", { loginName: "someone" });
    const noPassword = await client.post("/ui/login/password", { password: "" });
    expect(noPassword.status).toBe(400);
    expect(alertText(noPassword.html)).toBe("Password is empty");

    const unknownRequest = await fetch(`${t.baseUrl}/ui/login/login?authRequestID=V2_000000000000000000`);
    expect(unknownRequest.status).toBe(400);
    expect(alertText(await unknownRequest.text())).toBe("Could not find authrequest");

    expect((await fetch(`${t.baseUrl}/ui/login/nowhere`)).status).toBe(404);
    const put = await fetch(`${t.baseUrl}/ui/login/password`, { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST");
    const head = await fetch(`${t.baseUrl}/ui/login/login`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const root = await fetch(`${t.baseUrl}/ui/login`, { redirect: "manual" });
    expect(root.status).toBe(303);
    expect(root.headers.get("location")).toBe("/ui/login/login");
    // Without a login name the password page sends the person back.
    const fresh = createLoginClient(t.baseUrl);
    const password = await fresh.get("/ui/login/password");
    expect(password.location).toBe("/ui/login/loginname");
  });

  it("ignore a tampered cookie", async () => {
    const client = createLoginClient(t.baseUrl);
    await client.get("/ui/login/login");
    client.setCookie("latchkey-login=not-json");
    expect((await client.post("/ui/login/loginname", { loginName: "someone" })).status).toBe(403);
    const forged = Buffer.from(JSON.stringify({ csrf: "abc", session: { sessionId: "1", sessionToken: "2", userId: "3" }, mustChangePassword: true })).toString(
      "base64url",
    );
    client.setCookie(`latchkey-login=${forged}`);
    // A forged session does not open with the session commands: the sign-in starts again.
    const answer = await client.post("/ui/login/password/change", {
      csrf: "abc",
      oldPassword: PASSWORD,
      newPassword: "N3w!Passw0rd-x",
      newPasswordConfirmation: "N3w!Passw0rd-x",
    });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe("/ui/login/loginname");
    expect(client.cookie()).not.toContain(forged);
  });
});

describe("the login cookie behind TLS", () => {
  let secure: TestApp;
  beforeAll(async () => {
    secure = await startTestApp({ env: { LATCHKEY_EXTERNAL_URL: "https://login.example.com" } });
  });
  afterAll(() => secure.stop());

  it("is Secure and carries the __Secure- prefix", async () => {
    const response = await fetch(`${secure.baseUrl}/ui/login/login`);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Secure-latchkey-login=[^;]+; Path=\/ui\/login; HttpOnly; SameSite=Lax; Secure$/);
  });
});
