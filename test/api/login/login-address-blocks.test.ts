import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockoutMode } from "../../../gen/latchkey/v1/lockout_service_pb.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, lockoutClient } from "../../support/lifecycle.js";
import { orgWithSchedule } from "../../support/lockout-schedule.js";
import { alertText, createLoginClient } from "../../support/login-client.js";
import { startTestApp, type TestApp } from "../../support/test-app.js";

const STRANGER = "203.0.113.9";
const OWNER = "198.51.100.7";

let t: TestApp;
beforeAll(async () => {
  // The test's requests come from loopback: loopback is the trusted proxy that reports each person's address.
  t = await startTestApp({ env: { LATCHKEY_TRUSTED_PROXIES: "127.0.0.1, ::1" } });
});
afterAll(() => t.stop());

/** One person's browser behind the proxy: login name, then password. */
async function signInFrom(address: string, loginName: string, password: string) {
  const client = createLoginClient(t.baseUrl, { "x-forwarded-for": address });
  await client.get("/ui/login/login");
  await client.post("/ui/login/loginname", { loginName });
  return client.post("/ui/login/password", { password });
}

describe("the hosted login under per-address counting", () => {
  it("locks a stranger's address out of the account while the owner signs in from elsewhere", async () => {
    const { headers } = await orgWithSchedule(t, 3, { mode: LockoutMode.ACCOUNT_AND_ADDRESS, firstLockSeconds: 600, globalMaxPasswordAttempts: 6 });
    const { userId, userName } = await createHuman(t, { headers });
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(alertText((await signInFrom(STRANGER, userName, WRONG_PASSWORD)).html)).toBe("Username or Password is invalid");
    }
    // Even the right password is refused from the blocked address.
    const blocked = await signInFrom(STRANGER, userName, PASSWORD);
    expect(blocked.status).toBe(200);
    expect(alertText(blocked.html)).toBe("User is locked. Contact your administrator to unlock it.");

    const owner = await signInFrom(OWNER, userName, PASSWORD);
    expect(owner.status).toBe(303);
    expect(owner.location).toBe("/ui/login/login/success");
    const blocks = await lockoutClient(t, "grpc").listAddressBlocks({ userId }, { headers });
    expect(blocks.result.map((block) => block.address)).toEqual([STRANGER]);
  });
});
