/** The client's redirect URI with the answer's parameters added to its query (RFC 6749 §4.1.2). */
export function redirectWith(redirectUri: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, value);
  if (query.size === 0) return redirectUri;
  const hash = redirectUri.indexOf("#");
  const base = hash < 0 ? redirectUri : redirectUri.slice(0, hash);
  return `${base}${base.includes("?") ? "&" : "?"}${query.toString()}`;
}
