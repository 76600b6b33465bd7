import { describe, expect, it } from "vitest";
import { createReadiness } from "../../../../src/api/health/readiness.js";
import { StoreNotWritableError } from "../../../../src/eventstore/event-store.js";
import { createLogger, silentLogger } from "../../../../src/lib/logger.js";

describe("readiness", () => {
  it("follows the store's ping and tells subscribers about changes only", async () => {
    let reachable = true;
    const ping = async () => {
      if (!reachable) throw new Error("down");
    };
    const readiness = createReadiness({ ping, logger: silentLogger });
    const changes: unknown[] = [];
    readiness.subscribe((reason) => changes.push(reason));
    expect(await readiness.check()).toBeUndefined();
    reachable = false;
    expect(await readiness.check()).toBe("store unreachable");
    expect(await readiness.check()).toBe("store unreachable");
    reachable = true;
    expect(await readiness.check()).toBeUndefined();
    expect(changes).toEqual(["store unreachable", undefined]);
    readiness.close();
  });

  it("tells a store whose writes fail from an unreachable one, and logs the store's error", async () => {
    const lines: string[] = [];
    const ping = async () => {
      throw new StoreNotWritableError("writes fail: SQLITE_READONLY: attempt to write a readonly database");
    };
    const readiness = createReadiness({ ping, logger: createLogger("info", (line) => lines.push(line)) });
    expect(await readiness.check()).toBe("store not writable");
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "warn",
      msg: "not ready",
      reason: "store not writable",
      error: "writes fail: SQLITE_READONLY: attempt to write a readonly database",
    });
    readiness.close();
  });

  it("counts a ping that does not answer in time as unreachable", async () => {
    const readiness = createReadiness({ ping: () => new Promise(() => undefined), timeoutMs: 20, logger: silentLogger });
    expect(await readiness.check()).toBe("store unreachable");
    readiness.close();
  });

  it("stays not ready once shutting down, whatever the store says", async () => {
    let pings = 0;
    const readiness = createReadiness({ ping: async () => void pings++, logger: silentLogger });
    readiness.beginShutdown();
    expect(readiness.current()).toBe("shutting down");
    expect(await readiness.check()).toBe("shutting down");
    expect(pings).toBe(0);
  });

  it("checks the store in the background", async () => {
    let pings = 0;
    const readiness = createReadiness({ ping: async () => void pings++, intervalMs: 10, logger: silentLogger });
    await new Promise((resolve) => setTimeout(resolve, 60));
    readiness.close();
    expect(pings).toBeGreaterThanOrEqual(2);
  });
});
