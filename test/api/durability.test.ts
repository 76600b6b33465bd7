import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTestApp } from "../support/test-app.js";
import { seedUser } from "../support/users.js";

const dir = mkdtempSync(join(tmpdir(), "latchkey-restart-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("restart on the same database", () => {
  it("keeps users, states, sequences and the admin token", async () => {
    const first = await startTestApp({ dir });
    const locked = await seedUser(first, "locked");
    const unlocked = await seedUser(first, "unlocked");
    const before = await Promise.all([locked, unlocked].map((id) => first.rest("GET", `/management/v1/users/${id}`)));
    const instance = first.app.instance;
    expect(statSync(join(dir, "admin.pat")).mode & 0o777).toBe(0o600);
    await first.stop({ keepData: true });

    const second = await startTestApp({ dir });
    try {
      expect(second.app.instance.instanceId).toBe(instance.instanceId);
      expect(second.app.instance.created).toBeUndefined();
      expect(second.pat).toBe(first.pat);
      const after = await Promise.all([locked, unlocked].map((id) => second.rest("GET", `/management/v1/users/${id}`)));
      expect(after.map((r) => r.json)).toEqual(before.map((r) => r.json));
      expect(after[0]!.json.user.state).toBe("USER_STATE_LOCKED");
      // The next change continues the sequence.
      const { json } = await second.rest("POST", `/management/v1/users/${locked}/_unlock`, {});
      expect(json.details.sequence).toBe(String(Number(before[0]!.json.user.details.sequence) + 1));
    } finally {
      await second.stop({ keepData: true });
    }
  });
});
