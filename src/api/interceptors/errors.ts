import { type Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { CredentialsCheckErrorSchema, ErrorDetailSchema } from "../../../gen/zitadel/message_pb.js";
import { Errors, ZError, englishText, statusMessage, type ErrorEntry } from "../../errors.js";

export type ErrorLogger = (message: string, fields: Record<string, unknown>) => void;

/**
 * Turns catalogued errors into wire errors the way ZITADEL does: the status
 * message is "<text> (<id>)" and one zitadel.v1.ErrorDetail carries id and
 * text. Anything unexpected becomes INTERNAL; its cause goes to the log only.
 */
export function createErrorInterceptor(logError: ErrorLogger): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      if (error instanceof ZError) {
        // A store failure reaches the caller as a bare INTERNAL/UNAVAILABLE; its cause (e.g. SQLITE_READONLY) goes to the log.
        if (error.cause !== undefined && (error.entry === Errors.Internal || error.entry === Errors.Unavailable)) {
          logError("store error", { method: req.method.name, code: error.entry.id, error: String((error.cause as Error)?.message ?? error.cause) });
        }
        throw toConnectError(error.entry, error, error.failedAttempts);
      }
      logError("unexpected error", { method: req.method.name, error: String((error as Error)?.stack ?? error) });
      throw toConnectError(Errors.Internal, error);
    }
  };
}

/** A failed credential check carries a zitadel.v1.CredentialsCheckError (with the count) instead of an ErrorDetail. */
export function toConnectError(entry: ErrorEntry, cause?: unknown, failedAttempts?: number): ConnectError {
  const message = englishText(entry);
  const details =
    failedAttempts !== undefined
      ? [{ desc: CredentialsCheckErrorSchema, value: { id: entry.id, message, failedAttempts } }]
      : entry.id
        ? [{ desc: ErrorDetailSchema, value: { id: entry.id, message } }]
        : [];
  return new ConnectError(statusMessage(entry), entry.kind as number as Code, undefined, details, cause);
}
