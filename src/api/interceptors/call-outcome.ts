import { Code, ConnectError, type Interceptor, type StreamResponse, type UnaryRequest, type UnaryResponse, type StreamRequest } from "@connectrpc/connect";

/** What is known about a call once it has ended. */
export interface CallOutcome {
  readonly req: UnaryRequest | StreamRequest;
  /** "OK" or the name of the gRPC code, e.g. "NotFound". */
  readonly code: string;
  readonly seconds: number;
}

export const codeName = (error: unknown): string => Code[ConnectError.from(error).code] ?? "Unknown";

/**
 * Calls `settled` once per call with its final code and duration: after the
 * answer for unary calls, after the last message (or the failure) for
 * streaming answers.
 */
export function observeCalls(settled: (outcome: CallOutcome) => void): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const done = (code: string) => settled({ req, code, seconds: (performance.now() - started) / 1000 });
    let res: UnaryResponse | StreamResponse;
    try {
      res = await next(req);
    } catch (error) {
      done(codeName(error));
      throw error;
    }
    if (!res.stream) {
      done("OK");
      return res;
    }
    return { ...res, message: untilEnd(res, done) } as typeof res;
  };
}

async function* untilEnd(res: StreamResponse, done: (code: string) => void) {
  let code = "Canceled"; // the client went away before the stream ended
  try {
    yield* res.message;
    code = "OK";
  } catch (error) {
    code = codeName(error);
    throw error;
  } finally {
    done(code);
  }
}
