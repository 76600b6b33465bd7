import { describe, expect, it } from "vitest";
import { ConfigError, describeSettings, loadConfig, settingName } from "../../../src/config.js";

describe("loadConfig", () => {
  it("has a default for every setting", () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: "0.0.0.0",
      database: "./data/latchkey.db",
      externalUrl: "http://localhost:8080",
      firstInstancePatPath: "./data/admin.pat",
      firstInstanceMachineKeyPath: "",
      firstInstanceAdminPasswordPath: "",
      masterKey: "",
      masterKeyPath: "",
      accessTokenLifetimeMs: 12 * 3_600_000,
      signingKeyRotationMs: 6 * 3_600_000,
      logLevel: "info",
      corsOrigins: "*",
      maxRequestBytes: 4194304,
      dbPoolSize: 10,
      dbStatementTimeoutMs: 5000,
      tlsCert: "",
      tlsKey: "",
      shutdownGraceMs: 10000,
      shutdownDelayMs: 0,
      callTimeoutMs: 60000,
      maxConcurrentStreams: 250,
      maxHeaderBytes: 16384,
      idleTimeoutMs: 120000,
      headersTimeoutMs: 10000,
      requestBodyTimeoutMs: 30000,
      maxConnections: 10000,
      metricsPort: undefined,
      passwordHashCost: 15,
      metricsIntervalMs: 1000,
      lockoutMaxPasswordAttempts: 0,
      lockoutMaxOtpAttempts: 0,
      lockoutFirstLockSeconds: 0,
      lockoutMaxLockSeconds: 0,
      lockoutEscalationWindowSeconds: 0,
      lockoutMaxTemporaryLocks: 0,
      lockSweepIntervalMs: 10000,
      trustedProxies: [],
      smtpUrl: "",
      smtpFrom: "",
      unlockLinkLifetimeMs: 15 * 60_000,
    });
  });

  it("reads trusted proxies as addresses and CIDR ranges, and refuses anything else", () => {
    expect(loadConfig({ LATCHKEY_TRUSTED_PROXIES: " 10.0.0.0/8, ::1 ,192.0.2.7" }).trustedProxies).toEqual(["10.0.0.0/8", "::1", "192.0.2.7"]);
    for (const bad of ["10.0.0.0/33", "example.com", "10.0.0.1/8/1", "::1/129", "10.0.0.0/x"]) {
      expect(() => loadConfig({ LATCHKEY_TRUSTED_PROXIES: bad })).toThrow(
        `LATCHKEY_TRUSTED_PROXIES must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8, ::1), got "${bad}"`,
      );
    }
  });

  it("reads the mail settings: no mail server by default, smtp:// or smtps:// URLs only, never echoing the URL", () => {
    const defaults = loadConfig({});
    expect([defaults.smtpUrl, defaults.smtpFrom, defaults.unlockLinkLifetimeMs]).toEqual(["", "", 15 * 60_000]);
    const config = loadConfig({ LATCHKEY_SMTP_URL: "smtp://mailer:s3cret@mail.example.com:587", LATCHKEY_UNLOCK_LINK_LIFETIME: "30m" });
    expect(config.smtpUrl).toBe("smtp://mailer:s3cret@mail.example.com:587");
    expect(config.unlockLinkLifetimeMs).toBe(30 * 60_000);
    expect(loadConfig({ LATCHKEY_SMTP_URL: "smtps://mail.example.com" }).smtpUrl).toBe("smtps://mail.example.com");
    for (const bad of ["http://user:s3cret@mail.example.com", "mail.example.com", "smtp://"]) {
      let message = "";
      try {
        loadConfig({ LATCHKEY_SMTP_URL: bad });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe("LATCHKEY_SMTP_URL must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587");
    }
    expect(() => loadConfig({ LATCHKEY_UNLOCK_LINK_LIFETIME: "10s" })).toThrow("LATCHKEY_UNLOCK_LINK_LIFETIME");
  });

  it("reads the environment and lets flags win", () => {
    const config = loadConfig({ LATCHKEY_PORT: "9000", LATCHKEY_CORS_ORIGINS: "https://a.example, https://b.example" }, [
      "--port",
      "9100",
      "--log-level=debug",
    ]);
    expect(config.port).toBe(9100);
    expect(config.logLevel).toBe("debug");
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  it("takes a SQLite path or a PostgreSQL URL with pool settings", () => {
    expect(loadConfig({ LATCHKEY_DATABASE: "/var/lib/latchkey/latchkey.db" }).database).toBe("/var/lib/latchkey/latchkey.db");
    const config = loadConfig(
      { LATCHKEY_DATABASE: "postgres://latchkey:secret@db.example:5432/latchkey?schema=tenant_a&sslmode=require", LATCHKEY_DB_POOL_SIZE: "25" },
      ["--db-statement-timeout-ms", "2000"],
    );
    expect(config).toMatchObject({
      database: "postgres://latchkey:secret@db.example:5432/latchkey?schema=tenant_a&sslmode=require",
      dbPoolSize: 25,
      dbStatementTimeoutMs: 2000,
    });
    expect(loadConfig({ LATCHKEY_DATABASE: "postgresql://db.example/latchkey?options=-c%20search_path%3Dtenant_b" }).database).toMatch(/^postgresql:/);
  });

  it("takes a metrics port, empty meaning the main port", () => {
    expect(loadConfig({ LATCHKEY_METRICS_PORT: "9090" }).metricsPort).toBe(9090);
    expect(loadConfig({}, ["--metrics-port", ""]).metricsPort).toBeUndefined();
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
    [{ LATCHKEY_DB_POOL_SIZE: "0" }, /LATCHKEY_DB_POOL_SIZE must be a whole number from 1/],
    [{ LATCHKEY_DB_STATEMENT_TIMEOUT_MS: "soon" }, /LATCHKEY_DB_STATEMENT_TIMEOUT_MS/],
    [{ LATCHKEY_DATABASE: "postgres://db.example/latchkey?schema=a;drop" }, /LATCHKEY_DATABASE schema "a;drop" must be one plain name/],
    [{ LATCHKEY_DATABASE: "postgres://db.example/x?schema=a&options=-c%20search_path%3Db" }, /LATCHKEY_DATABASE names the schema twice/],
    [{ LATCHKEY_DATABASE: "postgresql:///latchkey" }, /LATCHKEY_DATABASE needs a host/],
    [{ LATCHKEY_TLS_CERT: "/etc/latchkey/cert.pem" }, /LATCHKEY_TLS_CERT and LATCHKEY_TLS_KEY go together/],
    [{ LATCHKEY_SHUTDOWN_GRACE_MS: "-1" }, /LATCHKEY_SHUTDOWN_GRACE_MS must be a whole number/],
    [{ LATCHKEY_MAX_CONCURRENT_STREAMS: "0" }, /LATCHKEY_MAX_CONCURRENT_STREAMS/],
    [{ LATCHKEY_HEADERS_TIMEOUT_MS: "5" }, /LATCHKEY_HEADERS_TIMEOUT_MS must be a whole number from 100/],
    [{ LATCHKEY_HEADERS_TIMEOUT_MS: "20000", LATCHKEY_REQUEST_BODY_TIMEOUT_MS: "15000" }, /must not be shorter than LATCHKEY_HEADERS_TIMEOUT_MS/],
    [{ LATCHKEY_MAX_CONNECTIONS: "0" }, /LATCHKEY_MAX_CONNECTIONS/],
    [{ LATCHKEY_METRICS_PORT: "metrics" }, /LATCHKEY_METRICS_PORT must be a whole number/],
  ])("rejects %o, naming the setting", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("rejects unknown flags and flags without a value", () => {
    expect(() => loadConfig({}, ["--colour", "red"])).toThrow(/unknown option --colour/);
    expect(() => loadConfig({}, ["--port"])).toThrow(/--port needs a value/);
    expect(() => loadConfig({}, ["--port", "x"])).toThrow(/--port must be a whole number/);
  });

  it("derives the external URL from the port unless it is set", () => {
    expect(loadConfig({ LATCHKEY_PORT: "9000" }).externalUrl).toBe("http://localhost:9000");
    expect(loadConfig({}, ["--port", "9100"]).externalUrl).toBe("http://localhost:9100");
    expect(loadConfig({ LATCHKEY_PORT: "9000", LATCHKEY_EXTERNAL_URL: "https://id.example.com" }).externalUrl).toBe("https://id.example.com");
    expect(describeSettings().find((row) => row.env === "LATCHKEY_EXTERNAL_URL")?.fallback).toBe("http://localhost:<port>");
  });

  it("names a setting as it was given: the flag when typed, else the variable", () => {
    expect(() => loadConfig({}, ["--tls-cert", "/etc/latchkey/cert.pem"])).toThrow(/--tls-cert and --tls-key go together/);
    expect(() => loadConfig({ LATCHKEY_TLS_KEY: "/k.pem" })).toThrow(/LATCHKEY_TLS_CERT and LATCHKEY_TLS_KEY go together/);
    const mixed = loadConfig({ LATCHKEY_TLS_KEY: "/k.pem" }, ["--tls-cert=/c.pem"]);
    expect(settingName(mixed, "tlsCert")).toBe("--tls-cert");
    expect(settingName(mixed, "tlsKey")).toBe("LATCHKEY_TLS_KEY");
    expect(settingName(loadConfig({}), "port")).toBe("LATCHKEY_PORT");
  });
});
