import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.js";

describe("identity settings", () => {
  it("reads durations and the master key settings", () => {
    const config = loadConfig({
      LATCHKEY_ACCESS_TOKEN_LIFETIME: "30m",
      LATCHKEY_SIGNING_KEY_ROTATION: "1d",
      LATCHKEY_MASTERKEY: "k".repeat(32),
      LATCHKEY_MASTERKEY_PATH: "/secrets/masterkey",
      LATCHKEY_FIRST_INSTANCE_MACHINE_KEY_PATH: "./data/admin-key.json",
    });
    expect(config).toMatchObject({
      accessTokenLifetimeMs: 30 * 60_000,
      signingKeyRotationMs: 86_400_000,
      masterKey: "k".repeat(32),
      masterKeyPath: "/secrets/masterkey",
      firstInstanceMachineKeyPath: "./data/admin-key.json",
    });
    expect(loadConfig({}, ["--access-token-lifetime", "2h"]).accessTokenLifetimeMs).toBe(2 * 3_600_000);
  });

  it.each([
    { LATCHKEY_ACCESS_TOKEN_LIFETIME: "12" },
    { LATCHKEY_ACCESS_TOKEN_LIFETIME: "10s" },
    { LATCHKEY_SIGNING_KEY_ROTATION: "soon" },
    { LATCHKEY_MASTERKEY: "too short" },
  ])("rejects %o, naming the setting", (env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(Object.keys(env)[0]!);
  });
});
