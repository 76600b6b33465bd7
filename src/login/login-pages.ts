import { englishText } from "../errors.js";
import type { Logger } from "../lib/logger.js";
import type { AuthRequests } from "../oidc/auth-requests.js";
import { CLIENT_ADDRESS_HEADER } from "../server/client-address.js";
import type { NodeHandler } from "../server/listen.js";
import { endBody, requestPath, type NodeRequest, type NodeResponse } from "../server/node-http.js";
import { readBody } from "../server/read-body.js";
import { csrfMatches, LOGIN_PATH, newCsrfToken, type LoginCookie, type LoginState } from "./login-state.js";
import { LOGIN_CSS } from "./login-style.js";
import * as views from "./login-views.js";
import type { CheckedSession, SignIn } from "./sign-in.js";
import type { UnlockLinks, UnlockLinkStatus } from "../command/unlock-links.js";

export interface LoginPagesOptions {
  readonly instanceId: string;
  readonly signIn: SignIn;
  readonly cookie: LoginCookie;
  /** The provider's pending requests; without it the pages sign in without an application. */
  readonly authRequests?: AuthRequests;
  /** Unlock links by mail; the locked page offers one when they are enabled. */
  readonly unlockLinks?: UnlockLinks;
  readonly logger: Logger;
}

/** ZITADEL's login texts for what goes wrong on the pages. */
export const LOGIN_TEXTS = {
  invalid: "Username or Password is invalid",
  passwordInvalid: "Password is invalid",
  usernameEmpty: "Username is empty",
  passwordEmpty: "Password is empty",
  confirmationWrong: "Passwordconfirmation is wrong",
  authRequestNotFound: "Could not find authrequest",
  csrf: "The form is no longer valid. Reload the page and try again.",
  internal: "An internal error occurred",
  tooLarge: "The form is too large.",
} as const;

const MAX_FORM_BYTES = 16 * 1024;
const MAX_LOGIN_NAME = 200;

// Nothing runs, nothing loads from elsewhere, forms post only here, nobody frames the pages.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": CSP,
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

type Route = (req: NodeRequest, res: NodeResponse, url: URL) => Promise<void>;

/**
 * The hosted login at ZITADEL's paths under /ui/login: login name, password,
 * password change when required, then back to the application. Plain HTML
 * forms; every POST carries the form token of the login cookie.
 */
export function withLoginPages(options: LoginPagesOptions, next: NodeHandler): NodeHandler {
  const { instanceId, signIn, cookie, authRequests, unlockLinks, logger } = options;

  const html = (req: NodeRequest, res: NodeResponse, status: number, body: string, setCookie?: string) => {
    res.writeHead(status, { ...PAGE_HEADERS, "content-length": String(Buffer.byteLength(body)), ...(setCookie ? { "set-cookie": setCookie } : {}) });
    endBody(req, res, body);
  };
  const redirect = (res: NodeResponse, location: string, setCookie?: string) => {
    res.writeHead(303, {
      location,
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-length": "0",
      ...(setCookie ? { "set-cookie": setCookie } : {}),
    });
    res.end();
  };

  async function appName(state: LoginState): Promise<string | undefined> {
    if (!state.authRequestId || !authRequests) return undefined;
    return (await authRequests.find(instanceId, state.authRequestId))?.appName;
  }

  /** Reads a form POST and checks its token; answers 403 itself (and changes nothing) when the token is wrong. */
  async function readForm(req: NodeRequest, res: NodeResponse): Promise<{ state: LoginState; form: URLSearchParams } | undefined> {
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    const body = await readBody(req, { limit: MAX_FORM_BYTES, announced: Number(req.headers["content-length"] ?? 0) || undefined }).catch(() => undefined);
    if (!body) {
      html(req, res, 413, views.errorPage(LOGIN_TEXTS.tooLarge));
      return undefined;
    }
    const form = type === "application/x-www-form-urlencoded" ? new URLSearchParams(body.toString("utf8")) : new URLSearchParams();
    const state = cookie.read(req);
    if (!state || !csrfMatches(state, form.get("csrf") ?? undefined)) {
      html(req, res, 403, views.errorPage(LOGIN_TEXTS.csrf));
      return undefined;
    }
    return { state, form };
  }

  /** Signed in: link the session to the application's request, then show the success page. */
  async function finish(req: NodeRequest, res: NodeResponse, state: LoginState, session: CheckedSession) {
    if (!state.authRequestId || !authRequests) {
      redirect(res, `${LOGIN_PATH}/login/success`, cookie.write({ csrf: state.csrf, done: {} }));
      return;
    }
    let redirectTo: string;
    try {
      ({ redirectTo } = await authRequests.linkSession(instanceId, state.authRequestId, { sessionId: session.sessionId, sessionToken: session.sessionToken }));
    } catch (error) {
      logger.warn("the sign-in could not be linked to its authorization request", { error: String(error) });
      html(req, res, 400, views.errorPage(LOGIN_TEXTS.authRequestNotFound), cookie.clear());
      return;
    }
    redirect(res, `${LOGIN_PATH}/login/success`, cookie.write({ csrf: state.csrf, done: { redirectTo } }));
  }

  /** The locked page; with a login name whose schedule allows it, it offers an unlock link (the name stays in the cookie for that). */
  async function showLocked(req: NodeRequest, res: NodeResponse, state: LoginState, until: Date | undefined, loginName?: string) {
    const offered = loginName !== undefined && unlockLinks !== undefined && (await unlockLinks.offeredTo(instanceId, loginName));
    const next: LoginState = { csrf: state.csrf, authRequestId: state.authRequestId, loginName: offered ? loginName : undefined };
    html(req, res, 200, views.lockedPage({ until, unlockLinkCsrf: offered ? state.csrf : undefined }), cookie.write(next));
  }

  /** Asked for on the locked page: the same answer whoever asks, at once; the link is made (or not) afterwards. */
  const sendUnlockLink: Route = async (req, res) => {
    const posted = await readForm(req, res);
    if (!posted) return;
    const loginName = posted.state.loginName;
    if (loginName && unlockLinks) {
      unlockLinks.requestBySelf(instanceId, loginName).catch((error: unknown) => logger.warn("an unlock link could not be stored", { error: String(error) }));
    }
    html(req, res, 200, views.unlockLinkSentPage(unlockLinks?.lifetimeMs ?? 0));
  };

  const refusedStatus = (status: UnlockLinkStatus) => (status === "invalid" ? 404 : 410);

  /** The link from the mail: a GET only shows what it would do (mail scanners open links); the button unlocks. */
  const showUnlock: Route = async (req, res, url) => {
    const token = url.searchParams.get("token") ?? "";
    const status = unlockLinks ? await unlockLinks.inspect(instanceId, token) : "invalid";
    if (status !== "valid") return html(req, res, refusedStatus(status), views.unlockRefusedPage(status), cookie.clear());
    const csrf = newCsrfToken();
    html(req, res, 200, views.unlockConfirmPage({ csrf }, token), cookie.write({ csrf }));
  };

  const redeemUnlock: Route = async (req, res) => {
    const posted = await readForm(req, res);
    if (!posted) return;
    const token = posted.form.get("token") ?? "";
    const outcome = unlockLinks ? await unlockLinks.redeem(instanceId, token) : "invalid";
    if (outcome !== "unlocked") return html(req, res, refusedStatus(outcome), views.unlockRefusedPage(outcome), cookie.clear());
    html(req, res, 200, views.unlockedPage(), cookie.clear());
  };

  const showLoginName: Route = async (req, res, url) => {
    const requested = url.searchParams.get("authRequestID") ?? undefined;
    const current = cookie.read(req);
    // A new authorization request starts afresh; "back" from the password page keeps the name.
    const keep = current && requested === undefined && url.pathname === `${LOGIN_PATH}/loginname` && !current.done;
    const state: LoginState = keep
      ? { csrf: current.csrf, authRequestId: current.authRequestId, loginName: current.loginName }
      : { csrf: newCsrfToken(), authRequestId: requested };
    let loginName = state.loginName;
    let app: string | undefined;
    if (state.authRequestId) {
      const request = authRequests && (await authRequests.find(instanceId, state.authRequestId));
      if (!request) return html(req, res, 400, views.errorPage(LOGIN_TEXTS.authRequestNotFound), cookie.clear());
      app = request.appName;
      loginName ??= request.loginHint;
    }
    html(req, res, 200, views.loginNamePage({ csrf: state.csrf, appName: app }, { loginName }), cookie.write(state));
  };

  const checkLoginName: Route = async (req, res) => {
    const posted = await readForm(req, res);
    if (!posted) return;
    const { state, form } = posted;
    const loginName = (form.get("loginName") ?? "").trim();
    const context = { csrf: state.csrf, appName: await appName(state) };
    if (!loginName) return html(req, res, 400, views.loginNamePage(context, { error: LOGIN_TEXTS.usernameEmpty }));
    // No name that long exists; saying so here would be the same answer as a wrong password later.
    if (loginName.length > MAX_LOGIN_NAME) return html(req, res, 200, views.loginNamePage(context, { loginName: "", error: LOGIN_TEXTS.invalid }));
    redirect(res, `${LOGIN_PATH}/password`, cookie.write({ csrf: state.csrf, authRequestId: state.authRequestId, loginName }));
  };

  const showPassword: Route = async (req, res) => {
    const state = cookie.read(req);
    if (!state?.loginName) return redirect(res, `${LOGIN_PATH}/loginname`);
    html(req, res, 200, views.passwordPage({ csrf: state.csrf, appName: await appName(state) }, { loginName: state.loginName }));
  };

  const checkPassword: Route = async (req, res) => {
    const posted = await readForm(req, res);
    if (!posted) return;
    const { state, form } = posted;
    if (!state.loginName) return redirect(res, `${LOGIN_PATH}/loginname`);
    const password = form.get("password") ?? "";
    const context = { csrf: state.csrf, appName: await appName(state) };
    if (!password) return html(req, res, 400, views.passwordPage(context, { loginName: state.loginName, error: LOGIN_TEXTS.passwordEmpty }));
    const outcome = await signIn.checkPassword(state.loginName, password, clientAddressOf(req));
    if (outcome.kind === "invalid") return html(req, res, 200, views.passwordPage(context, { loginName: state.loginName, error: LOGIN_TEXTS.invalid }));
    if (outcome.kind === "locked") return showLocked(req, res, state, outcome.until, state.loginName);
    if (outcome.mustChangePassword) {
      const changing: LoginState = { csrf: state.csrf, authRequestId: state.authRequestId, session: outcome.session, mustChangePassword: true };
      return redirect(res, `${LOGIN_PATH}/password/change`, cookie.write(changing));
    }
    await finish(req, res, state, outcome.session);
  };

  const showPasswordChange: Route = async (req, res) => {
    const state = cookie.read(req);
    if (!state?.session || !state.mustChangePassword) return redirect(res, `${LOGIN_PATH}/loginname`);
    html(req, res, 200, views.passwordChangePage({ csrf: state.csrf, appName: await appName(state) }));
  };

  const changePassword: Route = async (req, res) => {
    const posted = await readForm(req, res);
    if (!posted) return;
    const { state, form } = posted;
    if (!state.session || !state.mustChangePassword) return redirect(res, `${LOGIN_PATH}/loginname`);
    const context = { csrf: state.csrf, appName: await appName(state) };
    const oldPassword = form.get("oldPassword") ?? "";
    const newPassword = form.get("newPassword") ?? "";
    const again = (error: string) => html(req, res, 400, views.passwordChangePage(context, { error }));
    if (!oldPassword || !newPassword) return again(LOGIN_TEXTS.passwordEmpty);
    if (newPassword !== (form.get("newPasswordConfirmation") ?? "")) return again(LOGIN_TEXTS.confirmationWrong);
    const outcome = await signIn.changePassword(state.session, oldPassword, newPassword);
    if (outcome.kind === "rejected") return again(englishText(outcome.reason));
    if (outcome.kind === "invalid-old") return again(LOGIN_TEXTS.passwordInvalid);
    if (outcome.kind === "session-gone")
      return redirect(res, `${LOGIN_PATH}/loginname`, cookie.write({ csrf: state.csrf, authRequestId: state.authRequestId }));
    if (outcome.kind === "locked") return showLocked(req, res, state, outcome.until);
    await finish(req, res, state, outcome.session);
  };

  const showSuccess: Route = async (req, res) => {
    const state = cookie.read(req);
    if (!state?.done) return redirect(res, `${LOGIN_PATH}/login`);
    html(req, res, 200, views.successPage(state.done.redirectTo), cookie.clear());
  };

  const routes = new Map<string, Route>([
    ["GET /login", showLoginName],
    ["GET /loginname", showLoginName],
    ["POST /loginname", checkLoginName],
    ["GET /password", showPassword],
    ["POST /password", checkPassword],
    ["GET /password/change", showPasswordChange],
    ["POST /password/change", changePassword],
    ["GET /login/success", showSuccess],
    ["POST /unlock/send", sendUnlockLink],
    ["GET /unlock", showUnlock],
    ["POST /unlock", redeemUnlock],
    ["GET /logout/done", async (req, res) => html(req, res, 200, views.logoutDonePage())],
    [
      "GET /resources/login.css",
      async (req, res) => {
        res.writeHead(200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" });
        endBody(req, res, LOGIN_CSS);
      },
    ],
  ]);
  const methodsOf = (path: string) => ["GET", "POST"].filter((method) => routes.has(`${method} ${path}`));

  return (req, res) => {
    const path = requestPath(req.url);
    if (path !== LOGIN_PATH && !path.startsWith(`${LOGIN_PATH}/`)) return next(req, res);
    const sub = path.slice(LOGIN_PATH.length) || "/";
    if (sub === "/") return redirect(res, `${LOGIN_PATH}/login`);
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    const route = routes.get(`${method} ${sub}`);
    if (!route) {
      const allowed = methodsOf(sub);
      if (allowed.length === 0) return html(req, res, 404, views.errorPage("This page does not exist."));
      res.writeHead(405, { allow: allowed.join(", "), "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed\n");
      return;
    }
    const url = new URL(req.url ?? "/", "http://login.invalid");
    route(req, res, url).catch((error: unknown) => {
      logger.error("login page failed", { path, error: String((error as Error)?.stack ?? error) });
      if (!res.headersSent) html(req, res, 500, views.errorPage(LOGIN_TEXTS.internal));
      else res.end();
    });
  };
}

/** Set for every request by withClientAddress (src/server/client-address.ts); a client's own value never counts. */
function clientAddressOf(req: NodeRequest): string | undefined {
  const address = req.headers[CLIENT_ADDRESS_HEADER];
  return typeof address === "string" && address !== "" ? address : undefined;
}
