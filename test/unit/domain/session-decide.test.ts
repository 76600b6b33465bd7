import { describe, it } from "vitest";
import { sessionDecider } from "../../../src/domain/session/decider.js";
import type { SessionEvent } from "../../../src/domain/session/events.js";
import type { ChangeSession } from "../../../src/domain/session/session.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";

const spec = deciderSpec(sessionDecider);
const at = "2025-01-01T10:00:00.000Z";
const token = { tokenID: "t1", tokenHash: "h1" };
const change = (init: Partial<ChangeSession>): ChangeSession => ({ type: "ChangeSession", checkedAt: at, token, ...init });
const added: SessionEvent = { type: "session.added", payload: {} };
const userChecked = (userID = "u1"): SessionEvent => ({ type: "session.user.checked", payload: { userID, userResourceOwner: "o1", checkedAt: at } });
const tokenSet: SessionEvent = { type: "session.token.set", payload: token };

describe("ChangeSession", () => {
  it("creates a session with a user and a password check and sets a token", () => {
    spec
      .given([])
      .when(change({ start: {}, user: { userId: "u1", resourceOwner: "o1" }, passwordChecked: true }))
      .then([added, userChecked(), { type: "session.password.checked", payload: { checkedAt: at } }, tokenSet]);
  });
  it("keeps the user agent of a new session", () => {
    spec
      .given([])
      .when(change({ start: { userAgent: { ip: "10.0.0.1" } } }))
      .then([{ type: "session.added", payload: { userAgent: { ip: "10.0.0.1" } } }, tokenSet]);
  });
  it("checks a password against the session's user", () => {
    spec
      .given([added, userChecked(), tokenSet])
      .when(change({ passwordChecked: true }))
      .then([{ type: "session.password.checked", payload: { checkedAt: at } }, tokenSet]);
  });
  it("refuses a password check without a user (COMMAND-Sfw3f)", () => {
    spec
      .given([added, tokenSet])
      .when(change({ passwordChecked: true }))
      .thenThrows(Errors.Session.UserIdMissing);
  });
  it("refuses another user", () => {
    spec
      .given([added, userChecked("u1"), tokenSet])
      .when(change({ user: { userId: "u2", resourceOwner: "o1" } }))
      .thenThrows(Errors.Session.UserChangeNotPossible);
  });
  it("sets metadata only when it changes, and sets no token when nothing changes", () => {
    const withMeta: SessionEvent = { type: "session.metadata.set", payload: { metadata: { a: "MQ==" } } };
    spec
      .given([added, tokenSet])
      .when(change({ metadata: { a: "MQ==" } }))
      .then([withMeta, tokenSet]);
    spec
      .given([added, withMeta, tokenSet])
      .when(change({ metadata: { a: "MQ==" } }))
      .then([]);
    spec
      .given([added, withMeta, tokenSet])
      .when(change({ metadata: { a: "" } }))
      .then([{ type: "session.metadata.set", payload: { metadata: {} } }, tokenSet]);
  });
  it("records a lifetime", () => {
    spec
      .given([added, tokenSet])
      .when(change({ lifetimeNanos: 3_600_000_000_000 }))
      .then([{ type: "session.lifetime.set", payload: { lifetime: 3_600_000_000_000 } }, tokenSet]);
  });
});

describe("TerminateSession", () => {
  const terminate = { type: "TerminateSession" } as const;
  const terminated: SessionEvent = { type: "session.terminated", payload: null };

  it("terminates an active session", () => {
    spec.given([added, userChecked(), tokenSet]).when(terminate).then([terminated]);
  });
  it("changes nothing on a session that is terminated already", () => {
    spec.given([added, tokenSet, terminated]).when(terminate).then([]);
  });
  it("changes nothing on a session that does not exist", () => {
    spec.given([]).when(terminate).then([]);
  });
  it("refuses further checks on a terminated session (COMAND-SAjeh)", () => {
    spec
      .given([added, userChecked(), tokenSet, terminated])
      .when(change({ passwordChecked: true }))
      .thenThrows(Errors.Session.Terminated);
  });
});
