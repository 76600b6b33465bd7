import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.js";

describe("the database setting", () => {
  it.each([
    ["./data/latchkey.db", "./data/latchkey.db"],
    ["/var/lib/latchkey/latchkey.db", "/var/lib/latchkey/latchkey.db"],
    ["latchkey.db", "latchkey.db"],
    ["file:///var/lib/latchkey/latchkey.db", "/var/lib/latchkey/latchkey.db"],
    ["file:data/latchkey.db", "data/latchkey.db"],
    ["file:///srv/my%20data/latchkey.db", "/srv/my data/latchkey.db"],
    ["postgres://latchkey@db.example/latchkey", "postgres://latchkey@db.example/latchkey"],
    ["postgresql://db.example/latchkey?schema=a", "postgresql://db.example/latchkey?schema=a"],
  ])("takes %s as %s", (raw, database) => {
    expect(loadConfig({ LATCHKEY_DATABASE: raw }).database).toBe(database);
  });

  it.each([
    ["mysql://x@127.0.0.1/db", "mysql"],
    ["sqlite:///tmp/latchkey.db", "sqlite"],
    ["http://db.example/latchkey", "http"],
    ["redis:latchkey", "redis"],
  ])("refuses %s, naming the setting and the scheme", (raw, scheme) => {
    expect(() => loadConfig({ LATCHKEY_DATABASE: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ LATCHKEY_DATABASE: raw })).toThrow(
      `LATCHKEY_DATABASE must be a SQLite file path or a postgres:// (postgresql://) URL; "${scheme}:" is not supported`,
    );
    expect(() => loadConfig({}, ["--database", raw])).toThrow(/^--database must be a SQLite file path/);
  });

  it("refuses a file: URL with parameters, which SQLite would read but Latchkey would not", () => {
    expect(() => loadConfig({ LATCHKEY_DATABASE: "file:///tmp/latchkey.db?mode=ro" })).toThrow(
      /LATCHKEY_DATABASE must be a SQLite file path, a file: URL without parameters/,
    );
  });
});
