import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../../gen/grpc/health/v1/health_pb.js";
import { observeCalls, type CallOutcome } from "../../../../src/api/interceptors/call-outcome.js";
import { createDeadlineInterceptor } from "../../../../src/api/interceptors/deadline.js";

function serve(outcomes: CallOutcome[], impl: Partial<Record<"check" | "watch" | "list", any>>) {
  const transport = createRouterTransport(({ service }) => service(Health, impl as never), {
    router: { interceptors: [observeCalls((outcome) => outcomes.push(outcome)), createDeadlineInterceptor(50)] },
  });
  return createClient(Health, transport);
}

describe("observeCalls", () => {
  it("reports a unary call once, with its code", async () => {
    const outcomes: CallOutcome[] = [];
    const client = serve(outcomes, {
      check: (req: { service: string }) => {
        if (req.service) throw new ConnectError("no", Code.NotFound);
        return { status: Status.SERVING };
      },
    });
    await client.check({});
    await client.check({ service: "x" }).catch(() => undefined);
    expect(outcomes.map((o) => [o.req.method.name, o.code])).toEqual([
      ["Check", "OK"],
      ["Check", "NotFound"],
    ]);
    expect(outcomes.every((o) => o.seconds >= 0)).toBe(true);
  });

  it("reports a stream when it ends, not when it starts", async () => {
    const outcomes: CallOutcome[] = [];
    const client = serve(outcomes, {
      async *watch() {
        yield { status: Status.SERVING };
        await new Promise((resolve) => setTimeout(resolve, 20));
        yield { status: Status.NOT_SERVING };
      },
    });
    const statuses = [];
    for await (const message of client.watch({})) {
      statuses.push(message.status);
      expect(outcomes).toEqual([]);
    }
    expect(statuses).toEqual([Status.SERVING, Status.NOT_SERVING]);
    expect(outcomes.map((o) => o.code)).toEqual(["OK"]);
    expect(outcomes[0]!.seconds).toBeGreaterThanOrEqual(0.015);
  });
});

describe("the deadline interceptor", () => {
  it("ends a unary call that runs past the server's limit, and leaves streams running", async () => {
    const outcomes: CallOutcome[] = [];
    const client = serve(outcomes, {
      check: () => new Promise(() => undefined), // never answers
      async *watch() {
        await new Promise((resolve) => setTimeout(resolve, 120));
        yield { status: Status.SERVING };
      },
    });
    const error = await client.check({}).catch((e: unknown) => e);
    expect(ConnectError.from(error).code).toBe(Code.DeadlineExceeded);
    const statuses = [];
    for await (const message of client.watch({})) statuses.push(message.status);
    expect(statuses).toEqual([Status.SERVING]);
  });
});
