import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockoutMode } from "../../gen/latchkey/v1/lockout_service_pb.js";
import { UserState } from "../../gen/zitadel/user/v2/user_pb.js";
import { PASSWORD, WRONG_PASSWORD, createHuman, expectWrongPassword, lockoutClient, signIn, userEvents } from "../support/lifecycle.js";
import { createTestClock, orgWithSchedule, v2State } from "../support/lockout-schedule.js";
import { startTestApp, wires, type TestApp, type WireName } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";

const time = createTestClock();
let t: TestApp;
beforeAll(async () => {
  // The test's own requests come from loopback: loopback is the trusted proxy that reports the client.
  t = await startTestApp({ clock: time.clock, env: { LATCHKEY_TRUSTED_PROXIES: "127.0.0.1, ::1" } });
});
afterAll(() => t.stop());

const STRANGER = "203.0.113.9";
const OWNER = "198.51.100.7";

const from = (address: string) => ({ ...t.auth(), "x-forwarded-for": address });
const signInFrom = (wire: WireName, userName: string, password: string, address: string) => signIn(t, wire, userName, password, from(address));

const perAddress = { mode: LockoutMode.ACCOUNT_AND_ADDRESS, firstLockSeconds: 600, globalMaxPasswordAttempts: 6 };

function expectBlocked(error: unknown) {
  expectZitadelError(error, Code.FailedPrecondition, "Too many failed sign-ins from this address", "LOCKOUT-Adr423");
}

describe.each(wires)("per-address counting over %s", (wire) => {
  it("blocks the stranger's address for the account while the owner signs in from elsewhere", async () => {
    const { headers } = await orgWithSchedule(t, 3, perAddress);
    const { userId, userName } = await createHuman(t, { headers });
    for (let attempt = 1; attempt <= 3; attempt++) expectWrongPassword(await rejectionOf(signInFrom(wire, userName, WRONG_PASSWORD, STRANGER)), attempt);
    // Even the right password is refused from the blocked address.
    expectBlocked(await rejectionOf(signInFrom(wire, userName, PASSWORD, STRANGER)));
    await signInFrom(wire, userName, PASSWORD, OWNER);
    expect(await v2State(t, wire, userId)).toBe(UserState.ACTIVE);

    const lockout = lockoutClient(t, wire);
    const listed = await lockout.listAddressBlocks({ userId }, { headers });
    expect(listed.details?.totalResult).toBe(1n);
    expect(listed.result.map((block) => [block.userId, block.userName, block.address])).toEqual([[userId, userName, STRANGER]]);
    expect(timestampDate(listed.result[0]!.blockedUntil!).getTime()).toBe(time.now() + 600_000);

    await lockout.removeAddressBlock({ userId, address: STRANGER }, { headers });
    expect((await lockout.listAddressBlocks({ userId }, { headers })).result).toEqual([]);
    await signInFrom(wire, userName, PASSWORD, STRANGER);
    expectZitadelError(
      await rejectionOf(lockout.removeAddressBlock({ userId, address: STRANGER }, { headers })),
      Code.NotFound,
      "No such address block",
      "LOCKOUT-Adr404",
    );
  });
});

describe("per-address counting", () => {
  it("still locks the account when failures from many addresses reach the global limit", async () => {
    const { headers } = await orgWithSchedule(t, 3, perAddress);
    const { userId, userName } = await createHuman(t, { headers });
    for (let i = 1; i <= 6; i++) await rejectionOf(signInFrom("connect-binary", userName, WRONG_PASSWORD, `192.0.2.${i}`));
    expect(await v2State(t, "grpc", userId)).toBe(UserState.LOCKED);
    expectZitadelError(await rejectionOf(signInFrom("grpc", userName, PASSWORD, OWNER)), Code.FailedPrecondition, "Errors.User.NotActive", "SESSION-Gj4ko");
    // No single address reached its limit: nothing is blocked.
    expect((await lockoutClient(t, "grpc").listAddressBlocks({ userId }, { headers })).result).toEqual([]);
  });

  it("ends a block with the schedule's first lock length", async () => {
    const { headers } = await orgWithSchedule(t, 2, perAddress);
    const { userName } = await createHuman(t, { headers });
    for (let i = 0; i < 2; i++) await rejectionOf(signInFrom("grpc", userName, WRONG_PASSWORD, STRANGER));
    expectBlocked(await rejectionOf(signInFrom("grpc", userName, PASSWORD, STRANGER)));
    time.advance(600_000);
    await signInFrom("grpc", userName, PASSWORD, STRANGER);
  });

  it("records the address in the failed check, so the log shows where failures came from", async () => {
    const { headers } = await orgWithSchedule(t, 5, perAddress);
    const { userId, userName } = await createHuman(t, { headers });
    await rejectionOf(signInFrom("connect-json", userName, WRONG_PASSWORD, `${STRANGER}, 10.0.0.1`));
    const failed = (await userEvents(t, userId)).filter((event) => event.type === "user.human.password.check.failed");
    // The rightmost hop (10.0.0.1) is not a trusted proxy: it is the client, the rest is hearsay.
    expect(failed.map((event) => event.payload)).toEqual([{ address: "10.0.0.1" }]);
  });

  it("counts REST sign-ins per address too", async () => {
    const { headers } = await orgWithSchedule(t, 1, perAddress);
    const { userName } = await createHuman(t, { headers });
    const body = (password: string) => ({ checks: { user: { loginName: userName }, password: { password } } });
    const failed = await t.rest("POST", "/v2/sessions", body(WRONG_PASSWORD), { "x-forwarded-for": STRANGER });
    expect(failed.status).toBe(400);
    const blocked = await t.rest("POST", "/v2/sessions", body(PASSWORD), { "x-forwarded-for": STRANGER });
    expect([blocked.status, blocked.json.message]).toEqual([400, "Too many failed sign-ins from this address (LOCKOUT-Adr423)"]);
    expect((await t.rest("POST", "/v2/sessions", body(PASSWORD), { "x-forwarded-for": OWNER })).status).toBe(201);
  });

  it("ignores a client address header sent by the client", async () => {
    const { headers } = await orgWithSchedule(t, 1, perAddress);
    const { userName } = await createHuman(t, { headers });
    await rejectionOf(signIn(t, "connect-json", userName, WRONG_PASSWORD, { ...from(STRANGER), "x-latchkey-client-address": OWNER }));
    expectBlocked(await rejectionOf(signInFrom("connect-json", userName, PASSWORD, STRANGER)));
    await signInFrom("connect-json", userName, PASSWORD, OWNER);
  });

  it("refuses to remove a block of a user in another organisation, and bad input", async () => {
    const first = await orgWithSchedule(t, 1, perAddress);
    const other = await orgWithSchedule(t, 1, perAddress);
    const { userId, userName } = await createHuman(t, { headers: first.headers });
    await rejectionOf(signInFrom("grpc", userName, WRONG_PASSWORD, STRANGER));
    const lockout = lockoutClient(t, "grpc");
    expectZitadelError(
      await rejectionOf(lockout.removeAddressBlock({ userId, address: STRANGER }, { headers: other.headers })),
      Code.NotFound,
      "No such address block",
      "LOCKOUT-Adr404",
    );
    expect((await lockout.listAddressBlocks({}, { headers: other.headers })).result).toEqual([]);
    const empty = ConnectError.from(await rejectionOf(lockout.removeAddressBlock({ userId, address: "" }, { headers: first.headers })));
    expect([empty.code, empty.rawMessage]).toEqual([
      Code.InvalidArgument,
      "invalid RemoveAddressBlockRequest.Address: value length must be between 1 and 64 runes, inclusive",
    ]);
    expect((await lockout.listAddressBlocks({ userId }, { headers: first.headers })).result).toHaveLength(1);
  });
});

describe("without trusted proxies", () => {
  let plain: TestApp;
  beforeAll(async () => {
    plain = await startTestApp();
  });
  afterAll(() => plain.stop());

  it("believes no X-Forwarded-For: every request counts for the connection's address", async () => {
    const { headers } = await orgWithSchedule(plain, 2, perAddress);
    const { userId, userName } = await createHuman(plain, { headers });
    await rejectionOf(signIn(plain, "grpc", userName, WRONG_PASSWORD, { ...plain.auth(), "x-forwarded-for": "192.0.2.1" }));
    await rejectionOf(signIn(plain, "grpc", userName, WRONG_PASSWORD, { ...plain.auth(), "x-forwarded-for": "192.0.2.2" }));
    const blocks = await lockoutClient(plain, "grpc").listAddressBlocks({ userId }, { headers });
    expect(blocks.result.map((block) => block.address)).toEqual(["127.0.0.1"]);
  });
});
