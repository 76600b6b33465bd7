import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { accessTokenFor, adminKeyFile, bearer } from "../../support/identity.js";
import { startTestApp } from "../../support/test-app.js";
import { testDatabase } from "../../support/test-database.js";

const dir = mkdtempSync(join(tmpdir(), "latchkey-restart-"));
afterAll(async () => {
  await testDatabase(dir).drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("signing keys across restarts", () => {
  it("keeps the keys (sealed in the store), so earlier tokens stay valid; a different master key is refused", async () => {
    const first = await startTestApp({ dir });
    const token = await accessTokenFor(first, adminKeyFile(first));
    const jwks = await (await fetch(`${first.baseUrl}/oauth/v2/keys`)).json();
    await first.stop({ keepData: true });

    const second = await startTestApp({ dir });
    try {
      expect(await (await fetch(`${second.baseUrl}/oauth/v2/keys`)).json()).toEqual(jwks);
      const me = await second.rest("GET", "/management/v1/orgs/me", undefined, bearer(token));
      expect(me.status).toBe(200);
    } finally {
      await second.stop({ keepData: true });
    }

    await expect(startTestApp({ dir, env: { LATCHKEY_MASTERKEY: "z".repeat(32) } })).rejects.toThrow(/master key does not open the stored signing keys/);
  });
});
