import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { ErrorDetailSchema } from "../../../gen/zitadel/message_pb.js";
import { Errors, ZError, englishText, statusMessage, type ErrorEntry } from "../../errors.js";

export interface ErrorLogger {
  (message: string, fields: Record<string, unknown>): void;
}

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
      if (error instanceof ZError) throw toConnectError(error.entry, error);
      logError("unexpected error", { method: req.method.name, error: String((error as Error)?.stack ?? error) });
      throw toConnectError(Errors.Internal, error);
    }
  };
}

export function toConnectError(entry: ErrorEntry, cause?: unknown): ConnectError {
  const details = entry.id ? [{ desc: ErrorDetailSchema, value: { id: entry.id, message: englishText(entry) } }] : [];
  return new ConnectError(statusMessage(entry), entry.kind as number as Code, undefined, details, cause);
}
