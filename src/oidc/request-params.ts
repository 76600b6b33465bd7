import type { NodeRequest } from "../server/node-http.js";
import { readBody } from "../server/read-body.js";

const MAX_FORM_BYTES = 64 * 1024;

export class FormError extends Error {
  override name = "FormError";
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** GET's query, or a POSTed form's fields (browser endpoints accept both, OIDC Core §3.1.2.1). */
export async function requestParams(req: NodeRequest): Promise<URLSearchParams> {
  if (req.method === "GET" || req.method === "HEAD") return new URLSearchParams(queryOf(req.url));
  if (req.method !== "POST") throw new FormError("Only GET and POST are accepted", 405);
  return readForm(req);
}

/** A POSTed application/x-www-form-urlencoded body. */
export async function readForm(req: NodeRequest): Promise<URLSearchParams> {
  const contentType = (req.headers["content-type"] ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (contentType !== "application/x-www-form-urlencoded") throw new FormError("The request must be application/x-www-form-urlencoded");
  const body = await readBody(req, { limit: MAX_FORM_BYTES, tooLarge: () => new FormError("The request body is too large", 413) });
  return new URLSearchParams(body.toString("utf8"));
}

function queryOf(url: string | undefined): string {
  const at = url?.indexOf("?") ?? -1;
  return at < 0 ? "" : url!.slice(at + 1);
}

/** A parameter given more than once is an error (RFC 6749 §3.1). */
export function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1) throw new FormError(`${name} is given more than once`);
  return values[0] === "" ? undefined : values[0];
}
