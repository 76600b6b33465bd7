import { describe, expect, it } from "vitest";
import { createReadiness } from "../../../../src/api/health/readiness.js";
import { silentLogger } from "../../../../src/lib/logger.js";

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
