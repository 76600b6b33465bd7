import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import { ErrorDetailSchema } from "../../gen/zitadel/message_pb.js";
import type { TestApp } from "./test-app.js";

export type SeedState = "active" | "initial" | "locked" | "inactive" | "unlocked";

let counter = 0;

/** Creates a user through the API and brings it into the wanted state; returns its id. */
export async function seedUser(t: TestApp, state: SeedState): Promise<string> {
  const client = t.client("connect-binary");
  const headers = t.auth();
  const { userId } = await client.importHumanUser(
    {
      userName: `user-${process.pid}-${++counter}-${state}`,
      profile: { firstName: "Test", lastName: "User" },
      email: { email: `user${counter}@example.com`, isEmailVerified: true },
      password: state === "initial" ? "" : "Secr3t!Passw0rd",
    },
    { headers },
  );
  if (state === "locked" || state === "unlocked") await client.lockUser({ id: userId }, { headers });
  if (state === "unlocked") await client.unlockUser({ id: userId }, { headers });
  if (state === "inactive") await client.deactivateUser({ id: userId }, { headers });
  return userId;
}

/** Asserts a ConnectError with ZITADEL's message form and one ErrorDetail (or none when id is undefined). */
export function expectZitadelError(error: unknown, code: Code, message: string, id?: string) {
  expect(error).toBeInstanceOf(ConnectError);
  const connectError = error as ConnectError;
  expect(Code[connectError.code]).toBe(Code[code]);
  if (id === undefined) {
    expect(connectError.rawMessage).toBe(message);
    expect(connectError.findDetails(ErrorDetailSchema)).toEqual([]);
  } else {
    expect(connectError.rawMessage).toBe(`${message} (${id})`);
    expect(connectError.findDetails(ErrorDetailSchema)).toEqual([create(ErrorDetailSchema, { id, message })]);
  }
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}
