import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf, seedUser } from "../support/users.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

describe.each(wires)("UnlockUser over %s", (wire) => {
  const call = (id: string, headers = t.auth()) => t.client(wire).unlockUser({ id }, { headers });

  it("unlocks a locked user and returns all four details", async () => {
    const id = await seedUser(t, "locked");
    const before = (await t.client(wire).getUserByID({ id }, { headers: t.auth() })).user!;
    const startedAt = Date.now();
    const { details } = await call(id);
    expect(details!.sequence).toBe(before.details!.sequence + 1n);
    expect(details!.resourceOwner).toBe(t.app.instance.defaultOrgId);
    expect(timestampDate(details!.creationDate!)).toEqual(timestampDate(before.details!.creationDate!));
    const changed = timestampDate(details!.changeDate!).getTime();
    expect(changed).toBeGreaterThanOrEqual(startedAt - 5);
    expect(changed).toBeLessThanOrEqual(Date.now() + 5);
    const after = (await t.client(wire).getUserByID({ id }, { headers: t.auth() })).user!;
    expect(after.state).toBe(1); // USER_STATE_ACTIVE
    expect(after.details!.sequence).toBe(details!.sequence);
  });

  it.each(["active", "inactive", "initial", "unlocked"] as const)("rejects an %s user as not locked", async (state) => {
    const id = await seedUser(t, state);
    expectZitadelError(await rejectionOf(call(id)), Code.FailedPrecondition, "User is not locked", "COMMAND-4M0ds");
  });

  it("reports an unknown id as not found", async () => {
    expectZitadelError(await rejectionOf(call("4711")), Code.NotFound, "User could not be found", "COMMAND-M0dos");
  });

  it("rejects a 201-character id before doing anything", async () => {
    const error = await rejectionOf(call("x".repeat(201)));
    expectZitadelError(error, Code.InvalidArgument, "invalid UnlockUserRequest.Id: value length must be between 1 and 200 runes, inclusive");
  });

  it("rejects a call without a token", async () => {
    const id = await seedUser(t, "locked");
    expectZitadelError(await rejectionOf(t.client(wire).unlockUser({ id })), Code.Unauthenticated, "auth header missing");
  });

  it("rejects an unknown token", async () => {
    const id = await seedUser(t, "locked");
    const error = await rejectionOf(call(id, t.auth("not-a-token")));
    expectZitadelError(error, Code.Unauthenticated, "Errors.Token.Invalid", "AUTH-7fs1e");
  });
});

describe("UnlockUser over REST", () => {
  const unlock = (id: string, headers?: Record<string, string>) => t.rest("POST", `/management/v1/users/${encodeURIComponent(id)}/_unlock`, {}, headers);

  it("unlocks a locked user and returns all four details", async () => {
    const id = await seedUser(t, "locked");
    const before = await t.rest("GET", `/management/v1/users/${id}`);
    const { status, json } = await unlock(id);
    expect(status).toBe(200);
    expect(Object.keys(json)).toEqual(["details"]);
    expect(json.details).toEqual({
      sequence: String(Number(before.json.user.details.sequence) + 1),
      creationDate: before.json.user.details.creationDate,
      changeDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3,9})?Z$/),
      resourceOwner: t.app.instance.defaultOrgId,
    });
    const after = await t.rest("GET", `/management/v1/users/${id}`);
    expect(after.json.user.state).toBe("USER_STATE_ACTIVE");
  });

  it("ignores unknown fields in the body", async () => {
    const id = await seedUser(t, "locked");
    const { status, json } = await t.rest("POST", `/management/v1/users/${id}/_unlock`, { whatever: 1 });
    expect(status).toBe(200);
    expect(Object.keys(json)).toEqual(["details"]);
    expect(json.details.resourceOwner).toBe(t.app.instance.defaultOrgId);
    const after = await t.rest("GET", `/management/v1/users/${id}`);
    expect(after.json.user.state).toBe("USER_STATE_ACTIVE");
    expect(after.json.user.details.sequence).toBe(json.details.sequence);
  });

  it.each(["active", "inactive", "initial", "unlocked"] as const)("answers 400 for an %s user", async (state) => {
    const id = await seedUser(t, state);
    const { status, json } = await unlock(id);
    expect(status).toBe(400);
    expect(json).toEqual({
      code: 9,
      message: "User is not locked (COMMAND-4M0ds)",
      details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "COMMAND-4M0ds", message: "User is not locked" }],
    });
  });

  it("answers 404 for an unknown id", async () => {
    const { status, json } = await unlock("4711");
    expect(status).toBe(404);
    expect(json).toEqual({
      code: 5,
      message: "User could not be found (COMMAND-M0dos)",
      details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "COMMAND-M0dos", message: "User could not be found" }],
    });
  });

  it("answers 400 for a 201-character id", async () => {
    const { status, json } = await unlock("x".repeat(201));
    expect(status).toBe(400);
    expect(json).toEqual({ code: 3, message: "invalid UnlockUserRequest.Id: value length must be between 1 and 200 runes, inclusive" });
  });

  it("answers 401 without a token", async () => {
    const id = await seedUser(t, "locked");
    const response = await fetch(`${t.baseUrl}/management/v1/users/${id}/_unlock`, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 16, message: "auth header missing" });
  });

  it("answers 401 for an unknown token", async () => {
    const id = await seedUser(t, "locked");
    const { status, json, headers } = await unlock(id, { authorization: "Bearer not-a-token" });
    expect(status).toBe(401);
    expect(json).toEqual({
      code: 16,
      message: "Errors.Token.Invalid (AUTH-7fs1e)",
      details: [{ "@type": "type.googleapis.com/zitadel.v1.ErrorDetail", id: "AUTH-7fs1e", message: "Errors.Token.Invalid" }],
    });
    expect(headers.get("www-authenticate")).toBeTruthy();
  });
});
