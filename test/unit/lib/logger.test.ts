import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/lib/logger.js";

function capture() {
  const lines: string[] = [];
  const logger = createLogger("debug", (line) => lines.push(line));
  const last = () => {
    const { time, ...rest } = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(typeof time).toBe("string");
    return rest;
  };
  return { logger, last };
}

describe("createLogger redaction", () => {
  it("replaces secret fields at the top level and one level down", () => {
    const { logger, last } = capture();
    logger.info("call", { password: "p", user: "u", nested: { token: "t", other: 1 }, masterkey: { deep: 1 }, privateKey: "k" });
    expect(last()).toEqual({
      level: "info",
      password: "[redacted]",
      user: "u",
      nested: { token: "[redacted]", other: 1 },
      masterkey: "[redacted]",
      privateKey: "[redacted]",
      msg: "call",
    });
  });

  it("keeps the order of the fields", () => {
    const lines: string[] = [];
    createLogger("info", (line) => lines.push(line)).info("call", { a: 1, secret: "s", b: { key: "k", c: 2 }, d: 3 });
    expect(lines[0]).toMatch(/"a":1,"secret":"\[redacted\]","b":\{"key":"\[redacted\]","c":2\},"d":3,"msg":"call"\}\n$/);
  });

  it("leaves deeper levels, arrays' items and other values as they are", () => {
    const { logger, last } = capture();
    logger.info("call", { a: { b: { key: 1 } }, list: [{ pat: 1 }], words: ["secret"], error: "token expired" });
    expect(last()).toEqual({ level: "info", a: { b: { key: 1 } }, list: [{ pat: 1 }], words: ["secret"], error: "token expired", msg: "call" });
  });

  it("redacts a nested secret field even without a value, and drops an empty top-level one", () => {
    const { logger, last } = capture();
    logger.info("call", { key: undefined, secret: null, obj: { authorization: undefined } });
    expect(last()).toEqual({ level: "info", secret: "[redacted]", obj: { authorization: "[redacted]" }, msg: "call" });
  });

  it("never changes the caller's object", () => {
    const { logger } = capture();
    const fields = { keep: { password: "p" }, token: "t" };
    logger.warn("call", fields);
    expect(fields).toEqual({ keep: { password: "p" }, token: "t" });
  });

  it("writes a message without fields, and levels below the threshold not at all", () => {
    const lines: string[] = [];
    const logger = createLogger("info", (line) => lines.push(line));
    logger.debug("hidden", { a: 1 });
    logger.error("shown");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", msg: "shown" });
  });
});
