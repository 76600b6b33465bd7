import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.js";

describe("loadConfig", () => {
  it("has a default for every setting", () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: "0.0.0.0",
      database: "./data/latchkey.db",
      externalUrl: "http://localhost:8080",
      firstInstancePatPath: "./data/admin.pat",
      logLevel: "info",
      corsOrigins: "*",
      maxRequestBytes: 4194304,
    });
  });

  it("reads the environment and lets flags win", () => {
    const config = loadConfig({ LATCHKEY_PORT: "9000", LATCHKEY_CORS_ORIGINS: "https://a.example, https://b.example" }, ["--port", "9100", "--log-level=debug"]);
    expect(config.port).toBe(9100);
    expect(config.logLevel).toBe("debug");
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  it("returns a frozen object", () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it.each([
    [{ LATCHKEY_PORT: "eighty" }, /LATCHKEY_PORT must be a whole number/],
    [{ LATCHKEY_PORT: "70000" }, /LATCHKEY_PORT/],
    [{ LATCHKEY_LOG_LEVEL: "loud" }, /LATCHKEY_LOG_LEVEL must be one of/],
    [{ LATCHKEY_EXTERNAL_URL: "ftp://x" }, /LATCHKEY_EXTERNAL_URL must be an http/],
    [{ LATCHKEY_CORS_ORIGINS: "not an origin" }, /LATCHKEY_CORS_ORIGINS/],
    [{ LATCHKEY_DATABASE: " " }, /LATCHKEY_DATABASE must not be empty/],
    [{ LATCHKEY_MAX_REQUEST_BYTES: "10" }, /LATCHKEY_MAX_REQUEST_BYTES/],
    [{ LATCHKEY_PROT: "1" }, /unknown setting LATCHKEY_PROT/],
  ])("rejects %o, naming the setting", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("rejects unknown flags and flags without a value", () => {
    expect(() => loadConfig({}, ["--colour", "red"])).toThrow(/unknown option --colour/);
    expect(() => loadConfig({}, ["--port"])).toThrow(/--port needs a value/);
    expect(() => loadConfig({}, ["--port", "x"])).toThrow(/--port must be a whole number/);
  });
});
