import { randomInt } from "node:crypto";

export type IdGenerator = () => string;

/**
 * Numeric string ids in ZITADEL's style: milliseconds since 2020 in the high
 * bits, a per-process random node number and a counter in the low bits. Unique
 * per process without coordination; the node number makes collisions between
 * processes unlikely, and the event store rejects them anyway.
 */
export function createIdGenerator(now: () => number = Date.now): IdGenerator {
  const epoch = 1577836800000n; // 2020-01-01
  const node = BigInt(randomInt(0, 1024));
  let lastMs = 0n;
  let counter = 0n;
  return () => {
    let ms = BigInt(now()) - epoch;
    if (ms <= lastMs) {
      ms = lastMs;
      counter++;
      if (counter >= 4096n) {
        ms = ++lastMs;
        counter = 0n;
      }
    } else {
      counter = 0n;
    }
    lastMs = ms;
    return ((ms << 22n) | (node << 12n) | counter).toString();
  };
}
