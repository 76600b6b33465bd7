import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { expect } from "vitest";
import { LockoutService } from "../../gen/latchkey/v1/lockout_service_pb.js";
import { CredentialsCheckErrorSchema, ErrorDetailSchema } from "../../gen/zitadel/message_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import type { TestApp, WireName } from "./test-app.js";

export const PASSWORD = "Secr3t!Passw0rd";
export const WRONG_PASSWORD = "Wr0ng!Passw0rd";

export const userV2Client = (t: TestApp, wire: WireName): Client<typeof UserService> => createClient(UserService, t.transport(wire));
export const sessionClient = (t: TestApp, wire: WireName): Client<typeof SessionService> => createClient(SessionService, t.transport(wire));
export const lockoutClient = (t: TestApp, wire: WireName): Client<typeof LockoutService> => createClient(LockoutService, t.transport(wire));

let counter = 0;

/** A unique name for this test process. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}

/** An active human with a verified email and the given password; returns its id and user name. */
export async function createHuman(t: TestApp, init: { password?: string; userName?: string; headers?: Record<string, string> } = {}) {
  const userName = init.userName ?? uniqueName("human");
  const { userId } = await t.client("connect-binary").importHumanUser(
    {
      userName,
      profile: { firstName: "Test", lastName: "Human" },
      email: { email: `${userName}@example.com`, isEmailVerified: true },
      password: init.password ?? PASSWORD,
    },
    { headers: init.headers ?? t.auth() },
  );
  return { userId, userName };
}

/** Sets the organisation's custom lockout policy (adds it, or updates it). */
export async function setLockoutPolicy(t: TestApp, maxPasswordAttempts: number, maxOtpAttempts = 0, headers = t.auth()) {
  const client = t.client("connect-binary");
  const current = await client.getLockoutPolicy({}, { headers });
  if (current.isDefault) await client.addCustomLockoutPolicy({ maxPasswordAttempts, maxOtpAttempts }, { headers });
  else if (Number(current.policy!.maxPasswordAttempts) !== maxPasswordAttempts || Number(current.policy!.maxOtpAttempts) !== maxOtpAttempts) {
    await client.updateCustomLockoutPolicy({ maxPasswordAttempts, maxOtpAttempts }, { headers });
  }
}

/** CreateSession with a user check by login name and a password check. */
export function signIn(t: TestApp, wire: WireName, loginName: string, password: string, headers: Record<string, string> = t.auth()) {
  return sessionClient(t, wire).createSession({ checks: { user: { search: { case: "loginName", value: loginName } }, password: { password } } }, { headers });
}

/** A wrong password as ZITADEL answers it: INVALID_ARGUMENT, COMMAND-3M0fs, one CredentialsCheckError with the count and no ErrorDetail. */
export function expectWrongPassword(error: unknown, failedAttempts: number) {
  expect(error).toBeInstanceOf(ConnectError);
  const e = error as ConnectError;
  expect(Code[e.code]).toBe(Code[Code.InvalidArgument]);
  expect(e.rawMessage).toBe("Password is invalid (COMMAND-3M0fs)");
  expect(e.findDetails(CredentialsCheckErrorSchema)).toEqual([
    create(CredentialsCheckErrorSchema, { id: "COMMAND-3M0fs", message: "Password is invalid", failedAttempts }),
  ]);
  expect(e.findDetails(ErrorDetailSchema)).toEqual([]);
}

/** The REST body of a wrong password (HTTP 400). */
export function wrongPasswordBody(failedAttempts: number) {
  return {
    code: 3,
    message: "Password is invalid (COMMAND-3M0fs)",
    details: [{ "@type": "type.googleapis.com/zitadel.v1.CredentialsCheckError", id: "COMMAND-3M0fs", message: "Password is invalid", failedAttempts }],
  };
}

/** Events of one user as stored, for assertions on what was persisted. */
export async function userEvents(t: TestApp, userId: string) {
  return t.app.store.readStream({ instanceId: t.app.instance.instanceId, aggregateType: "user", aggregateId: userId });
}

/** A machine user with a personal access token and, optionally, an organisation membership. */
export async function createCaller(t: TestApp, roles: string[] = []) {
  const client = t.client("connect-binary");
  const headers = t.auth();
  const { userId } = await client.addMachineUser({ userName: uniqueName("caller"), name: "Caller" }, { headers });
  const { token } = await client.addPersonalAccessToken({ userId }, { headers });
  if (roles.length > 0) await client.addOrgMember({ userId, roles }, { headers });
  return { userId, headers: t.auth(token) };
}
