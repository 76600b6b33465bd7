import { createHash } from "node:crypto";
import type { NodeHandler } from "./listen.js";
import { endBody, requestPath } from "./node-http.js";

// Until the console takes "/", it tells a person what answers on this port.
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{margin-bottom:0}code{background:#f2f2f2;padding:0 .2em;border-radius:3px}td,th{text-align:left;padding:.2rem .8rem .2rem 0;vertical-align:top}`;

const BODY = `<h1>Latchkey</h1>
<p>A user-lifecycle service that speaks ZITADEL's Management API v1, User Service v2 and Session Service v2,
and its own <code>latchkey.v1</code> services. Clients built for ZITADEL work unchanged.
This port has no web console; it serves the APIs below.</p>
<h2>APIs</h2>
<table>
<tr><th>wire</th><th>how to reach it</th></tr>
<tr><td>gRPC</td><td>HTTP/2, <code>/zitadel.management.v1.ManagementService/&lt;Method&gt;</code> (server reflection on)</td></tr>
<tr><td>gRPC-web</td><td><code>application/grpc-web+proto</code> or <code>application/grpc-web-text</code>, HTTP/1.1 or HTTP/2</td></tr>
<tr><td>Connect</td><td><code>POST /&lt;package.Service&gt;/&lt;Method&gt;</code> with <code>application/json</code> or <code>application/proto</code></td></tr>
<tr><td>REST</td><td>ZITADEL's paths: <code>/management/v1/…</code>, <code>/v2/users/…</code>, <code>/v2/sessions</code>, <code>/latchkey/v1/…</code></td></tr>
</table>
<p>Every call but the health checks needs <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<h2>Here</h2>
<ul>
<li><a href="/openapi/v2/swagger/">/openapi/v2/swagger/</a>: OpenAPI (Swagger 2.0) documents of every REST route</li>
<li><a href="/.well-known/openid-configuration">/.well-known/openid-configuration</a>: OAuth 2.0 / OpenID discovery; tokens at <code>/oauth/v2/token</code></li>
<li><a href="/debug/healthz">/debug/healthz</a>: liveness</li>
<li><a href="/debug/ready">/debug/ready</a>: readiness</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
</ul>
<h2>Documentation</h2>
<p>In the Latchkey repository (not served here):</p>
<ul>
<li><code>README.md</code>: quick start, one call per wire, settings</li>
<li><code>docs/identity.md</code>: tokens, key files, client secrets, organisations and permissions</li>
<li><code>docs/lockout.md</code>: sign-in lockout, sessions, the v1 and v2 user lifecycle</li>
<li><code>docs/applications.md</code>: projects and the OIDC applications the provider serves</li>
<li><code>docs/operations.md</code>: settings, probes, metrics, logs, TLS, the <code>latchkey</code> command</li>
<li><code>docs/deployment.md</code>: several instances on PostgreSQL</li>
<li><code>docs/security.md</code>: who may do what, limits</li>
</ul>`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Latchkey</title>
<style>${STYLE}</style>
</head>
<body>
${BODY}
</body>
</html>
`;

const styleHash = createHash("sha256").update(STYLE).digest("base64");
const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-length": String(Buffer.byteLength(PAGE)),
  "cache-control": "no-store",
  // Nothing may load, run or frame the page; only its own style element applies.
  "content-security-policy": `default-src 'none'; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** GET and HEAD on "/" answer the landing page; everything else (other methods too) goes on to `next`. */
export function withLandingPage(next: NodeHandler): NodeHandler {
  return (req, res) => {
    const path = requestPath(req.url);
    if (path !== "/" || (req.method !== "GET" && req.method !== "HEAD")) {
      next(req, res);
      return;
    }
    res.writeHead(200, HEADERS);
    endBody(req, res, PAGE);
  };
}
