import { describe, expect, it } from "vitest";
import { createCallWrites } from "../../../src/command/call-writes.js";

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error("append failed")) : resolve(value)), ms));

describe("the writes of one call", () => {
  it("settles as committed when a write committed before the time ran out", async () => {
    const writes = createCallWrites();
    await writes.append(() => later(1, "done"));
    expect(await writes.settle(new Error("deadline"))).toBe(true);
  });

  it("waits for a write under way and tells whether it committed", async () => {
    const writes = createCallWrites();
    const committing = writes.append(() => later(30, "done"));
    expect(await writes.settle(new Error("deadline"))).toBe(true);
    await expect(committing).resolves.toBe("done");

    const failing = createCallWrites();
    const failed = failing.append(() => later(30, "x", true));
    failed.catch(() => undefined);
    expect(await failing.settle(new Error("deadline"))).toBe(false);
  });

  it("starts no write once the call has ended without one", async () => {
    const writes = createCallWrites();
    const reason = new Error("deadline");
    expect(await writes.settle(reason)).toBe(false);
    let started = false;
    await expect(
      writes.append(async () => {
        started = true;
        return 1;
      }),
    ).rejects.toBe(reason);
    expect(started).toBe(false);
  });
});
