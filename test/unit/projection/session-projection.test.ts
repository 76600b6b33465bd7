import { describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../../src/eventstore/event-store.js";
import { SESSIONS_TABLE, sessionProjection } from "../../../src/projection/session-projection.js";

const at = new Date("2025-01-01T10:00:00.000Z");
const event = (sequence: number, type: string, payload: unknown = null, init: Partial<RecordedEvent> = {}): RecordedEvent => ({
  instanceId: "i",
  aggregateType: "session",
  aggregateId: "s",
  owner: "i",
  sequence,
  type,
  payload,
  creator: "login-client",
  createdAt: at,
  position: 10 + sequence,
  ...init,
});
const key = { instance_id: "i", id: "s" };
const changed = (sequence: number) => ({ change_date: at.getTime(), sequence });

describe("the session projection", () => {
  it("adds a session with its creator, owner and user agent", () => {
    const agent = { fingerprintID: "fp", ip: "192.0.2.1", header: { "accept-language": ["en"] } };
    expect(sessionProjection.apply(event(1, "session.added", { userAgent: agent }))).toEqual([
      {
        kind: "upsert",
        table: SESSIONS_TABLE,
        key,
        values: {
          resource_owner: "i",
          creator: "login-client",
          metadata: "{}",
          user_agent_fingerprint_id: "fp",
          user_agent_ip: "192.0.2.1",
          user_agent_description: null,
          user_agent_header: '{"accept-language":["en"]}',
          creation_date: at.getTime(),
          ...changed(1),
        },
      },
    ]);
  });

  it("records the checks' times, the token's id and hash, and the expiration from the event's time", () => {
    const checkedAt = "2025-01-01T09:59:59.500Z";
    expect(sessionProjection.apply(event(2, "session.user.checked", { userID: "u", userResourceOwner: "org1", checkedAt }))).toEqual([
      {
        kind: "update",
        table: SESSIONS_TABLE,
        key,
        values: { user_id: "u", user_resource_owner: "org1", user_checked_at: Date.parse(checkedAt), ...changed(2) },
      },
    ]);
    expect(sessionProjection.apply(event(3, "session.password.checked", { checkedAt }))).toEqual([
      { kind: "update", table: SESSIONS_TABLE, key, values: { password_checked_at: Date.parse(checkedAt), ...changed(3) } },
    ]);
    expect(sessionProjection.apply(event(4, "session.lifetime.set", { lifetime: 90_000_000_000 }))).toEqual([
      { kind: "update", table: SESSIONS_TABLE, key, values: { expiration: at.getTime() + 90_000, ...changed(4) } },
    ]);
    expect(sessionProjection.apply(event(5, "session.token.set", { tokenID: "t", tokenHash: "h" }))).toEqual([
      { kind: "update", table: SESSIONS_TABLE, key, values: { token_id: "t", token_hash: "h", ...changed(5) } },
    ]);
  });

  it("clears the password checks of the user's sessions when the password changes", () => {
    expect(sessionProjection.apply(event(7, "user.human.password.changed", {}, { aggregateType: "user", aggregateId: "u", owner: "org1" }))).toEqual([
      { kind: "update", table: SESSIONS_TABLE, key: { instance_id: "i", user_id: "u" }, values: { password_checked_at: null } },
    ]);
  });

  it("deletes a terminated session, and the sessions of a removed user", () => {
    expect(sessionProjection.apply(event(6, "session.terminated"))).toEqual([{ kind: "delete", table: SESSIONS_TABLE, key }]);
    expect(sessionProjection.apply(event(9, "user.removed", null, { aggregateType: "user", aggregateId: "u", owner: "org1" }))).toEqual([
      { kind: "delete", table: SESSIONS_TABLE, key: { instance_id: "i", user_id: "u" } },
    ]);
  });
});
