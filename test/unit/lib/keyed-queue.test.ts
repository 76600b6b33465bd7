import { describe, expect, it } from "vitest";
import { createKeyedQueue } from "../../../src/lib/keyed-queue.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("createKeyedQueue", () => {
  it("runs work of one key one at a time, in arrival order, and other keys alongside", async () => {
    const queue = createKeyedQueue();
    const log: string[] = [];
    const job = (key: string, name: string) =>
      queue(key, async () => {
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        return name;
      });
    const results = await Promise.all([job("a", "a1"), job("a", "a2"), job("b", "b1")]);
    expect(results).toEqual(["a1", "a2", "b1"]);
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log.indexOf("start b1")).toBeLessThan(log.indexOf("end a1"));
  });

  it("keeps going after a failure, which only its caller sees", async () => {
    const queue = createKeyedQueue();
    const failed = queue("a", async () => {
      throw new Error("boom");
    });
    const next = queue("a", async () => "next");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("next");
  });
});
