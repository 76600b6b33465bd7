import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/lib/logger.js";
import { withLoginPages } from "../../../src/login/login-pages.js";
import { createLoginCookie } from "../../../src/login/login-state.js";
import type { SignIn } from "../../../src/login/sign-in.js";
import type { AuthRequests, AuthRequestView, SessionProof } from "../../../src/oidc/auth-requests.js";
import { alertText, createLoginClient } from "../../support/login-client.js";

// The pages' side of the contract with the provider, against a recording stand-in for it.
const REQUEST: AuthRequestView = { id: "V2_1", clientId: "app@demo", appName: "Demo <App>", scopes: ["openid"], prompt: [], loginHint: "alice" };
const linked: { instanceId: string; id: string; session: SessionProof }[] = [];
let failLink = false;
const authRequests: AuthRequests = {
  find: async (_instance, id) => (id === REQUEST.id ? REQUEST : undefined),
  async linkSession(instanceId, id, session) {
    if (failLink) throw new Error("request already answered");
    linked.push({ instanceId, id, session });
    return { redirectTo: `https://app.example/cb?code=c-${linked.length}&state=s&x=<>` };
  },
  fail: async () => ({ redirectTo: "https://app.example/cb?error=access_denied" }),
};
const signIn: SignIn = {
  checkPassword: async (loginName, password) =>
    loginName === "alice" && password === "right"
      ? { kind: "signed-in", session: { sessionId: "s1", sessionToken: "t1", userId: "u1" }, mustChangePassword: false }
      : { kind: "invalid" },
  changePassword: async () => ({ kind: "invalid-old" }),
};

let server: Server;
let base: string;
beforeAll(async () => {
  const handler = withLoginPages(
    { instanceId: "i1", signIn, cookie: createLoginCookie({ secure: false }), authRequests, logger: silentLogger },
    (_req, res) => {
      res.writeHead(418);
      res.end();
    },
  );
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the login pages with an authorization request", () => {
  it("name the application, prefill the login hint, link the checked session and send the browser back", async () => {
    const client = createLoginClient(base);
    const first = await client.get("/ui/login/login?authRequestID=V2_1");
    expect(first.status).toBe(200);
    expect(first.html).toContain("Sign in to continue to <strong>Demo &lt;App&gt;</strong>.");
    expect(first.html).toContain('value="alice"');
    await client.post("/ui/login/loginname", { loginName: "alice" });
    const wrong = await client.post("/ui/login/password", { password: "wrong" });
    expect(alertText(wrong.html)).toBe("Username or Password is invalid");
    expect(linked).toHaveLength(0);
    const right = await client.post("/ui/login/password", { password: "right" });
    expect(right.status).toBe(303);
    expect(right.location).toBe("/ui/login/login/success");
    expect(linked).toEqual([{ instanceId: "i1", id: "V2_1", session: { sessionId: "s1", sessionToken: "t1" } }]);
    const success = await client.get("/ui/login/login/success");
    // Back to the application by a refresh and a link: a redirect after the form would break form-action 'self'.
    const target = "https://app.example/cb?code=c-1&amp;state=s&amp;x=&lt;&gt;";
    expect(success.html).toContain(`<meta http-equiv="refresh" content="0;url=${target}">`);
    expect(success.html).toContain(`<a class="button" id="next" href="${target}" autofocus>next</a>`);
    expect(client.cookie()).toBeUndefined();
    // Once shown, the code is gone with the cookie.
    expect((await client.get("/ui/login/login/success")).location).toBe("/ui/login/login");
  });

  it("refuse an unknown request, and a request the provider no longer takes", async () => {
    const unknown = await fetch(`${base}/ui/login/login?authRequestID=V2_2`);
    expect(unknown.status).toBe(400);
    expect(alertText(await unknown.text())).toBe("Could not find authrequest");

    const client = createLoginClient(base);
    await client.get("/ui/login/login?authRequestID=V2_1");
    await client.post("/ui/login/loginname", { loginName: "alice" });
    failLink = true;
    const answer = await client.post("/ui/login/password", { password: "right" });
    failLink = false;
    expect(answer.status).toBe(400);
    expect(alertText(answer.html)).toBe("Could not find authrequest");
  });

  it("pass every other path on", async () => {
    expect((await fetch(`${base}/ui/loginx`)).status).toBe(418);
    expect((await fetch(`${base}/`)).status).toBe(418);
  });
});
