import { Code, ConnectError } from "@connectrpc/connect";

/**
 * What went wrong, in words a person can act on. A refusal by the server
 * keeps its text, which carries ZITADEL's message and id, e.g.
 * "User is not locked (COMMAND-4M0ds)".
 */
export function describeError(error: unknown): string {
  const e = ConnectError.from(error);
  switch (e.code) {
    case Code.Unauthenticated:
      return `Your sign-in is no longer valid (${e.rawMessage}). Sign in again.`;
    case Code.PermissionDenied:
      return `You lack the permission for this here (${e.rawMessage}). Ask an administrator for a role.`;
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return `Latchkey did not answer (${e.rawMessage}). Check the connection and try again.`;
    case Code.Unknown:
    case Code.Internal:
      return `Something failed on the server (${e.rawMessage}). Try again; if it persists, the server log has the details.`;
    default:
      return e.rawMessage;
  }
}
