/**
 * A minimal browser for the login pages over plain HTTP: it keeps the login
 * cookie, does not follow redirects, and reads the form token from each page.
 */
export interface LoginResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
  /** The redirect target (303), if any. */
  readonly location: string | null;
}

export interface LoginClient {
  get(path: string): Promise<LoginResponse>;
  /** Posts `fields` as a form; the last page's form token is added unless `fields.csrf` is given (null leaves it out). */
  post(path: string, fields: Record<string, string | null>): Promise<LoginResponse>;
  /** The Cookie header this client sends. */
  cookie(): string | undefined;
  setCookie(value: string | undefined): void;
  /** The form token of the last page. */
  csrf(): string | undefined;
}

/** `extraHeaders` go with every request, e.g. the X-Forwarded-For a trusted proxy would add. */
export function createLoginClient(baseUrl: string, extraHeaders: Record<string, string> = {}): LoginClient {
  let cookie: string | undefined;
  let csrf: string | undefined;

  async function send(method: string, path: string, body?: URLSearchParams): Promise<LoginResponse> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (cookie) headers.cookie = cookie;
    if (body) headers["content-type"] = "application/x-www-form-urlencoded";
    const response = await fetch(baseUrl + path, { method, headers, body, redirect: "manual" });
    for (const set of response.headers.getSetCookie()) {
      const [pair, ...attributes] = set.split(";");
      const removed = attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
      cookie = removed ? undefined : pair!.trim();
    }
    const html = await response.text();
    const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) csrf = token;
    return { status: response.status, headers: response.headers, html, location: response.headers.get("location") };
  }

  return {
    get: (path) => send("GET", path),
    post(path, fields) {
      const form = new URLSearchParams();
      const all = { csrf: csrf ?? null, ...fields };
      for (const [name, value] of Object.entries(all)) if (value !== null) form.set(name, value);
      return send("POST", path, form);
    },
    cookie: () => cookie,
    setCookie(value) {
      cookie = value;
    },
    csrf: () => csrf,
  };
}

/** The text of the page's alert, if it has one. */
export function alertText(html: string): string | undefined {
  return /role="alert">([^<]*)</.exec(html)?.[1];
}
