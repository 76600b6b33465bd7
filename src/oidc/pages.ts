import type { NodeResponse } from "../server/node-http.js";

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c]!);

/**
 * A small self-contained page for the browser when there is nowhere safe to
 * send it (an unknown client or redirect URI) or nothing more to do (signed
 * out). It loads nothing, and nothing may load it in a frame.
 */
export function sendPage(res: NodeResponse, status: number, title: string, text: string): void {
  if (res.headersSent || res.destroyed) return;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>
`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  });
  res.end(html);
}

/** A 302 to `location` that nobody caches. */
export function sendRedirect(res: NodeResponse, location: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(302, { location, "cache-control": "no-store", "content-length": 0, "referrer-policy": "no-referrer" });
  res.end();
}
