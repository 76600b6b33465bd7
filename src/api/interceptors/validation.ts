/**
 * Rejects unary requests that break their `(validate.rules)` before any handler
 * runs, as ZITADEL does: INVALID_ARGUMENT, the validator's text as the message,
 * and no error details.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { validateMessage } from "../validation/validate.js";

export function createValidationInterceptor(): Interceptor {
  return (next) => async (req) => {
    if (!req.stream) {
      const violation = validateMessage(req.method.input, req.message);
      if (violation !== undefined) throw new ConnectError(violation, Code.InvalidArgument);
    }
    return next(req);
  };
}
