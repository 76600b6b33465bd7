import { BlockList, isIP } from "node:net";
import type { IncomingHttpHeaders } from "node:http";
import type { NodeHandler, StreamHandler } from "./listen.js";

/**
 * The header that carries the client's address to the API handlers. It is
 * always overwritten here, so a value sent by a client never counts.
 */
export const CLIENT_ADDRESS_HEADER = "x-latchkey-client-address";

/** `1.2.3.4`, `::1`, `10.0.0.0/8`, `fd00::/8`. */
export function isAddressOrRange(entry: string): boolean {
  const [address, prefix, extra] = entry.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** "::ffff:1.2.3.4" is 1.2.3.4. */
export function normaliseAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped ? mapped[1]! : address).toLowerCase();
}

export type ClientAddressOf = (peer: string | undefined, forwardedFor: string | string[] | undefined) => string;

/**
 * The client's address: the connection's peer, unless the peer is a trusted
 * proxy; then X-Forwarded-For is walked from the right (the hop nearest to
 * us) past every trusted proxy, and the first address that is not one is
 * the client. Malformed entries stop the walk at the last trusted hop.
 */
export function createClientAddressOf(trusted: readonly string[]): ClientAddressOf {
  const list = new BlockList();
  for (const entry of trusted) {
    const [address, prefix] = entry.split("/") as [string, string | undefined];
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
  };
  return (peer, forwardedFor) => {
    let client = normaliseAddress(peer ?? "");
    if (trusted.length === 0 || !isTrusted(client)) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "")).split(",").map((hop) => normaliseAddress(hop.trim()));
    for (let index = hops.length - 1; index >= 0 && isTrusted(client); index--) {
      const hop = hops[index]!;
      if (isIP(hop) === 0) break;
      client = hop;
    }
    return client;
  };
}

/** Sets the client address header of every HTTP request (all wires but the lean gRPC path). */
export function withClientAddress(handler: NodeHandler, addressOf: ClientAddressOf): NodeHandler {
  return (req, res) => {
    req.headers[CLIENT_ADDRESS_HEADER] = addressOf(req.socket?.remoteAddress, req.headers["x-forwarded-for"]);
    handler(req, res);
  };
}

/** The same for HTTP/2 streams served before the request/response layer. */
export function withStreamClientAddress(handler: StreamHandler, addressOf: ClientAddressOf): StreamHandler {
  return (stream, headers: IncomingHttpHeaders) => {
    headers[CLIENT_ADDRESS_HEADER] = addressOf(stream.session?.socket?.remoteAddress, headers["x-forwarded-for"]);
    return handler(stream, headers);
  };
}
