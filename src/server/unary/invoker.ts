import { create, type Message } from "@bufbuild/protobuf";
import {
  ConnectError,
  createContextKey,
  createContextValues,
  createHandlerContext,
  createServiceImplSpec,
  type ConnectRouter,
  type HandlerContext,
  type Interceptor,
  type MethodImplSpec,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { TIMER_MAX_MS, clampDeadline } from "../deadline-clamp.js";
import { kWire, type Wire } from "../wire.js";
import { createLightHeaders } from "./light-headers.js";

export type UnarySpec = Extract<MethodImplSpec, { kind: "unary" }>;

export interface UnaryCallInit {
  /** The wire the call came on: the context's protocol name and its `kWire` value. */
  readonly wire: Wire;
  readonly requestMethod: string;
  readonly url: string;
  readonly header: Headers;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface UnaryResult {
  readonly message: Message;
  readonly header: Headers;
  readonly trailer: Headers;
}

export interface UnaryInvoker {
  /** The unary method served at a request path ("/package.Service/Method"). */
  find(path: string): UnarySpec | undefined;
  /** Runs the interceptors and the implementation, exactly as the router would. */
  invoke(spec: UnarySpec, input: Message, init: UnaryCallInit): Promise<UnaryResult>;
}

/**
 * Collects the unary implementations registered by `routes` and calls them
 * through the given interceptors, as connect's own invocation primitive
 * (`invokeUnaryImplementation`) does. This is the core of the lean unary
 * paths: they parse and write the wire format themselves and share
 * everything else with the router.
 */
export function createUnaryInvoker(
  routes: (router: ConnectRouter) => void,
  interceptors: Interceptor[],
  /** Longer client deadlines are clamped to this (see deadline-clamp.ts). */
  maxDeadlineMs = TIMER_MAX_MS,
): UnaryInvoker {
  const byPath = new Map<string, UnarySpec>();
  // One interceptor chain per method, built once: connect's primitive wraps the interceptors anew on every call.
  const chains = new Map<UnarySpec, Chain>();
  const recorder = {
    service(service, implementation) {
      for (const spec of Object.values(createServiceImplSpec(service, implementation).methods)) {
        if (spec.kind !== "unary") continue;
        byPath.set(`/${service.typeName}/${spec.method.name}`, spec);
        chains.set(spec, chainOf(spec, interceptors));
      }
      return recorder;
    },
  } as Pick<ConnectRouter, "service"> as ConnectRouter;
  routes(recorder);

  const invoke = async (spec: UnarySpec, input: Message, init: UnaryCallInit): Promise<UnaryResult> => {
    const timeoutMs = clampDeadline(init.timeoutMs, maxDeadlineMs);
    const context = timeoutMs === undefined ? createLeanContext(spec, init) : createDeadlineContext(spec, init, timeoutMs);
    try {
      const message = await invokeChain(chains.get(spec)!, spec, context, input);
      return { message, header: context.responseHeader, trailer: context.responseTrailer };
    } catch (error) {
      // A deadline or a cancelled request surfaces as the context's abort reason.
      throw context.signal.aborted ? ConnectError.from(context.signal.reason ?? error) : error;
    } finally {
      context.done();
    }
  };

  return { find: (path) => byPath.get(path), invoke };
}

type CallContext = HandlerContext & { done(): void };

type Chain = (req: UnaryRequest) => Promise<UnaryResponse>;

/** The call's context, for the innermost step of a chain shared by every call. */
const kCallContext = createContextKey<CallContext | undefined>(undefined, { description: "unary call context" });

/** The interceptors around one method's implementation, outermost first (as connect applies them). */
function chainOf(spec: UnarySpec, interceptors: readonly Interceptor[]): Chain {
  const implementation = async (req: UnaryRequest | { stream: true }): Promise<UnaryResponse> => {
    const unary = req as UnaryRequest;
    const context = unary.contextValues.get(kCallContext)!;
    // What the implementation sees, as connect builds it: the context with the request's (possibly changed) parts.
    const handlerContext: HandlerContext = {
      ...context,
      service: unary.service,
      requestHeader: unary.header,
      signal: unary.signal,
      values: unary.contextValues,
    };
    const message = create(spec.method.output, await spec.impl(unary.message, handlerContext));
    return { stream: false, message, method: spec.method, service: spec.method.parent, header: context.responseHeader, trailer: context.responseTrailer };
  };
  return interceptors.reduceRight((next, interceptor) => interceptor(next), implementation as Parameters<Interceptor>[0]) as Chain;
}

/** Runs a chain for one call, as connect's `invokeUnaryImplementation` does. */
async function invokeChain(chain: Chain, spec: UnarySpec, context: CallContext, input: Message): Promise<Message> {
  context.values.set(kCallContext, context);
  const response = await chain({
    stream: false,
    message: input,
    method: spec.method,
    requestMethod: context.requestMethod,
    url: context.url,
    signal: context.signal,
    header: context.requestHeader,
    service: spec.method.parent,
    contextValues: context.values,
  });
  copyHeaders(response.header, context.responseHeader);
  copyHeaders(response.trailer, context.responseTrailer);
  return response.message;
}

/** An interceptor may answer with headers of its own: they replace the context's. */
function copyHeaders(from: Headers, to: Headers) {
  if (from === to) return;
  for (const key of [...to.keys()]) to.delete(key);
  from.forEach((value, key) => to.set(key, value));
}

const neverAborted = new AbortController().signal;

/**
 * The context of a call without a client deadline: the request's own signal
 * and headers as they are. connect's createHandlerContext would add a
 * deadline signal, a linked abort controller and three header copies, about
 * 6% of the main thread's time under load (docs/benchmarks.md).
 */
function createLeanContext(spec: UnarySpec, init: UnaryCallInit): CallContext {
  return {
    service: spec.method.parent,
    method: spec.method,
    protocolName: init.wire,
    requestMethod: init.requestMethod,
    url: init.url,
    signal: init.signal ?? neverAborted,
    timeoutMs: () => undefined,
    requestHeader: init.header,
    responseHeader: createLightHeaders(),
    responseTrailer: createLightHeaders(),
    values: createContextValues().set(kWire, init.wire),
    done() {},
  };
}

/** A call with a client deadline: connect's context, whose signal aborts when the time is up. */
function createDeadlineContext(spec: UnarySpec, init: UnaryCallInit, timeoutMs: number): CallContext {
  const context = createHandlerContext({
    service: spec.method.parent,
    method: spec.method,
    protocolName: init.wire,
    requestMethod: init.requestMethod,
    url: init.url,
    timeoutMs,
    requestSignal: init.signal,
    requestHeader: init.header,
    contextValues: createContextValues().set(kWire, init.wire),
  });
  // Aborting clears the deadline's timer.
  return Object.assign(context, { done: () => context.abort() });
}
