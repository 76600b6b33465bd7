import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { NodeHandler } from "../listen.js";
import { endBody, requestPath, type NodeRequest, type NodeResponse } from "../node-http.js";

export const CONSOLE_PATH = "/ui/console";

export interface ConsoleOptions {
  /** The built console: index.html and assets/ (see build-console.ts). */
  readonly dir: string;
  /** The external URL: the API base and the issuer the console signs in with. */
  readonly externalUrl: string;
  /** The console's OIDC client id. */
  readonly clientId: string;
}

const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};
const SECURITY_HEADERS = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };

/**
 * The console's pages: "/" leads to it, its assets are content-hashed and
 * cached for good, every other path under /ui/console is the one page (a
 * route of the app) with no-store and a strict CSP. Other requests go on.
 */
export function withConsole(options: ConsoleOptions, next: NodeHandler): NodeHandler {
  const origin = new URL(options.externalUrl).origin;
  // Scripts and styles from the console's own files only; calls to the API and the issuer only.
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${origin}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

  return (req, res) => {
    const path = requestPath(req.url);
    const isRead = req.method === "GET" || req.method === "HEAD";
    if (!isRead || (path !== "/" && path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`))) {
      next(req, res);
      return;
    }
    if (path === "/" || path === CONSOLE_PATH) {
      res.writeHead(302, { location: `${CONSOLE_PATH}/`, "cache-control": "no-store", "content-length": "0" });
      res.end();
      return;
    }
    serve(req, res, path.slice(CONSOLE_PATH.length + 1)).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end();
    });
  };

  async function serve(req: NodeRequest, res: NodeResponse, route: string) {
    if (route === "assets/environment.json") {
      const body = JSON.stringify({ api: origin, issuer: origin, clientid: options.clientId });
      send(req, res, 200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }, body);
      return;
    }
    if (route.startsWith("assets/")) {
      const name = route.slice("assets/".length);
      const type = CONTENT_TYPES[name.slice(name.lastIndexOf("."))];
      const file = ASSET_NAME.test(name) && type ? await readIfThere(join(options.dir, "assets", name)) : undefined;
      if (!file) {
        send(req, res, 404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }, "not found\n");
        return;
      }
      send(req, res, 200, { "content-type": type!, "cache-control": "public, max-age=31536000, immutable" }, file);
      return;
    }
    const index = await readIfThere(join(options.dir, "index.html"));
    if (!index) {
      const text = "The console is not built. Run `npm run build` (npm start does it), then reload.\n";
      send(req, res, 503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }, text);
      return;
    }
    send(req, res, 200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": csp }, index);
  }
}

function send(req: NodeRequest, res: NodeResponse, status: number, headers: Record<string, string>, body: string | Uint8Array) {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, "content-length": String(Buffer.byteLength(body)) });
  endBody(req, res, body);
}

async function readIfThere(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
