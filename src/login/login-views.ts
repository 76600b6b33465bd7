import { LOGIN_PATH } from "./login-state.js";

/**
 * The login pages as HTML strings. Texts are ZITADEL's English login texts.
 * No script anywhere; the only style sheet is Latchkey's own.
 */

export interface PageContext {
  /** The application the person signs in to, when there is one. */
  readonly appName?: string;
  readonly csrf: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

function page(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${head}<title>${escapeHtml(title)} - Latchkey</title>
<link rel="stylesheet" href="${LOGIN_PATH}/resources/login.css">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

const appLine = (context: PageContext) =>
  context.appName ? `<p class="app">Sign in to continue to <strong>${escapeHtml(context.appName)}</strong>.</p>\n` : "";

const errorBox = (error: string | undefined) => (error ? `<p id="error" class="error" role="alert">${escapeHtml(error)}</p>\n` : "");

/** The attributes that tie the first field to the error message. */
const invalidAttributes = (error: string | undefined) => (error ? ` aria-invalid="true" aria-describedby="error"` : "");

const csrfField = (context: PageContext) => `<input type="hidden" name="csrf" value="${escapeHtml(context.csrf)}">`;

export function loginNamePage(context: PageContext, options: { readonly loginName?: string; readonly error?: string } = {}): string {
  const { error } = options;
  return page(
    "Welcome back!",
    `<h1>Welcome back!</h1>
<p>Enter your login data.</p>
${appLine(context)}${errorBox(error)}<form method="post" action="${LOGIN_PATH}/loginname">
${csrfField(context)}
<label for="loginName">Loginname</label>
<input type="text" id="loginName" name="loginName" value="${escapeHtml(options.loginName ?? "")}" placeholder="username@domain" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${invalidAttributes(error)}>
<div class="actions"><span></span><button type="submit">next</button></div>
</form>`,
  );
}

export function passwordPage(context: PageContext, options: { readonly loginName: string; readonly error?: string }): string {
  const { error } = options;
  return page(
    "Password",
    `<h1>Password</h1>
<p>Enter your login data.</p>
${appLine(context)}<p class="user">${escapeHtml(options.loginName)}</p>
${errorBox(error)}<form method="post" action="${LOGIN_PATH}/password">
${csrfField(context)}
<input type="text" class="visually-hidden" name="loginName" value="${escapeHtml(options.loginName)}" autocomplete="username" tabindex="-1" aria-hidden="true" readonly>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required autofocus${invalidAttributes(error)}>
<div class="actions"><a href="${LOGIN_PATH}/loginname">back</a><button type="submit">next</button></div>
</form>`,
  );
}

export function passwordChangePage(context: PageContext, options: { readonly error?: string } = {}): string {
  const { error } = options;
  return page(
    "Change Password",
    `<h1>Change Password</h1>
<p>Change your password. Enter your old and new password.</p>
${appLine(context)}${errorBox(error)}<form method="post" action="${LOGIN_PATH}/password/change">
${csrfField(context)}
<label for="oldPassword">Old Password</label>
<input type="password" id="oldPassword" name="oldPassword" autocomplete="current-password" required autofocus${invalidAttributes(error)}>
<label for="newPassword">New Password</label>
<input type="password" id="newPassword" name="newPassword" autocomplete="new-password" required aria-describedby="policy">
<label for="newPasswordConfirmation">Password confirmation</label>
<input type="password" id="newPasswordConfirmation" name="newPasswordConfirmation" autocomplete="new-password" required>
<p id="policy" class="app">At least 8 characters with a lowercase letter, an uppercase letter, a number and a symbol.</p>
<div class="actions"><span></span><button type="submit">next</button></div>
</form>`,
  );
}

/**
 * `until`: when the lock ends, for a schedule that shows it; `unlockLinkCsrf`: offer an unlock link.
 * Without either, the page as it always was.
 */
export function lockedPage(options: { readonly until?: Date; readonly unlockLinkCsrf?: string } = {}): string {
  return page(
    "User is locked",
    `<h1>User is locked</h1>
<p id="error" class="error" role="alert">User is locked. Contact your administrator to unlock it.</p>
${options.until ? `<p id="lock-end">${lockEndText(options.until)}</p>\n` : ""}${options.unlockLinkCsrf ? unlockLinkOffer(options.unlockLinkCsrf) : ""}<p><a href="${LOGIN_PATH}/loginname">Sign in with another user</a></p>`,
  );
}

/** The locked page's offer to mail an unlock link (a form: no script). */
const unlockLinkOffer = (csrf: string) => `<form method="post" action="${LOGIN_PATH}/unlock/send">
${csrfField({ csrf })}
<p>Or unlock it yourself: we send a link to the verified email address of this account.</p>
<div class="actions"><span></span><button type="submit" id="send-unlock-link">Send me an unlock link</button></div>
</form>
`;

const minutesOf = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} minutes`;

/** The answer to "send me an unlock link": the same whether a mail goes out or not. */
export function unlockLinkSentPage(lifetimeMs: number): string {
  return page(
    "Check your email",
    `<h1>Check your email</h1>
<p role="status">If this account can be unlocked by email, a link is on its way to its verified email address. The link works once, for ${minutesOf(lifetimeMs)}.</p>
<div class="actions"><span></span><a class="button" href="${LOGIN_PATH}/login" autofocus>back to sign-in</a></div>`,
  );
}

export function unlockConfirmPage(context: PageContext, token: string): string {
  return page(
    "Unlock your account",
    `<h1>Unlock your account</h1>
<p>Confirm to unlock your account; then sign in again.</p>
<form method="post" action="${LOGIN_PATH}/unlock">
${csrfField(context)}
<input type="hidden" name="token" value="${escapeHtml(token)}">
<div class="actions"><span></span><button type="submit" id="unlock" autofocus>Unlock my account</button></div>
</form>`,
  );
}

export function unlockedPage(): string {
  return page(
    "Account unlocked",
    `<h1>Account unlocked</h1>
<p role="status">Your account is unlocked. You can sign in again.</p>
<div class="actions"><span></span><a class="button" id="sign-in" href="${LOGIN_PATH}/login" autofocus>sign in</a></div>`,
  );
}

const REFUSALS: Record<"invalid" | "used" | "expired" | "superseded", string> = {
  invalid: "This unlock link is not valid. Open the whole link from the mail.",
  used: "This unlock link was used already; each link works once.",
  expired: "This unlock link has expired. Sign in again to ask for a new one.",
  superseded: "This unlock link no longer applies: the account was unlocked or locked again since it was sent.",
};

export function unlockRefusedPage(reason: keyof typeof REFUSALS | "valid"): string {
  const text = reason === "valid" ? REFUSALS.invalid : REFUSALS[reason];
  return page(
    "Unlock link not valid",
    `<h1>Unlock link not valid</h1>
<p id="error" class="error" role="alert">${escapeHtml(text)}</p>
<div class="actions"><span></span><a class="button" href="${LOGIN_PATH}/login" autofocus>sign in</a></div>`,
  );
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/**
 * "The lock ends by itself: try again after 14:33 UTC on 2 January 2030."
 * In UTC with the date, so that it holds whatever the reader's clock or zone
 * and however long the lock; rounded up to the minute, so "after" holds too.
 */
export function lockEndText(until: Date): string {
  const end = new Date(Math.ceil(until.getTime() / 60_000) * 60_000);
  const time = `${String(end.getUTCHours()).padStart(2, "0")}:${String(end.getUTCMinutes()).padStart(2, "0")}`;
  return `The lock ends by itself: try again after ${time} UTC on ${end.getUTCDate()} ${MONTHS[end.getUTCMonth()]} ${end.getUTCFullYear()}.`;
}

/** After a successful sign-in: back to the application (refresh plus a link, since form-action keeps a POST on this site). */
export function successPage(redirectTo: string | undefined): string {
  if (redirectTo === undefined) {
    return page("Login successful", `<h1>Login successful</h1>\n<p role="status">You can now close this window.</p>`);
  }
  const target = escapeHtml(redirectTo);
  return page(
    "Login successful",
    `<h1>Login successful</h1>
<p role="status">You will be directed back to your application automatically. If not, click on the button below. You can close the window afterwards.</p>
<div class="actions"><span></span><a class="button" id="next" href="${target}" autofocus>next</a></div>`,
    `<meta http-equiv="refresh" content="0;url=${target}">\n`,
  );
}

export function logoutDonePage(): string {
  return page(
    "Logged out",
    `<h1>Logged out</h1>\n<p>You have logged out successfully.</p>\n<div class="actions"><span></span><a class="button" href="${LOGIN_PATH}/login" autofocus>login</a></div>`,
  );
}

export function errorPage(message: string): string {
  return page("Sign-in not possible", `<h1>Sign-in not possible</h1>\n<p id="error" class="error" role="alert">${escapeHtml(message)}</p>`);
}
