import { describe, it } from "vitest";
import type { AuthRequestCommand } from "../../../src/domain/auth-request/auth-request.js";
import { authRequestDecider } from "../../../src/domain/auth-request/decider.js";
import type { AuthRequestAddedPayload, AuthRequestEvent } from "../../../src/domain/auth-request/events.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";

const spec = deciderSpec(authRequestDecider);
const request: AuthRequestAddedPayload = {
  login_client: "",
  client_id: "c1",
  redirect_uri: "https://app.example/cb",
  scope: ["openid"],
  audience: ["p1"],
  response_type: "code",
  code_challenge: { challenge: "x".repeat(43), method: "S256" },
  created_at: "2025-01-01T10:00:00.000Z",
  expires_at: "2025-01-01T10:10:00.000Z",
};
const added: AuthRequestEvent = { type: "auth_request.added", payload: request };
const link = (now = "2025-01-01T10:01:00.000Z"): AuthRequestCommand => ({
  type: "LinkSession",
  now,
  sessionId: "s1",
  userId: "u1",
  authTime: "2025-01-01T10:00:30.000Z",
  amr: ["pwd"],
  codeHash: "h1",
  codeExpiresAt: "2025-01-01T10:02:00.000Z",
});
const linked: AuthRequestEvent[] = [
  { type: "auth_request.session.linked", payload: { session_id: "s1", user_id: "u1", auth_time: "2025-01-01T10:00:30.000Z", amr: ["pwd"] } },
  { type: "auth_request.code.added", payload: { code_hash: "h1", expires_at: "2025-01-01T10:02:00.000Z" } },
];
const exchange = (codeHash = "h1", now = "2025-01-01T10:01:30.000Z"): AuthRequestCommand => ({ type: "ExchangeCode", now, codeHash, oidcSessionId: "o1" });
const exchanged: AuthRequestEvent = { type: "auth_request.code.exchanged", payload: { oidc_session_id: "o1" } };
const fail: AuthRequestCommand = { type: "FailAuthRequest", now: "2025-01-01T10:01:00.000Z", reason: "access_denied" };

describe("AddAuthRequest", () => {
  it("records the request", () => spec.given([]).when({ type: "AddAuthRequest", request }).then([added]));
  it("refuses an id in use (COMMAND-Sf3gt)", () =>
    spec.given([added]).when({ type: "AddAuthRequest", request }).thenThrows(Errors.AuthRequest.AlreadyExisting));
});

describe("LinkSession", () => {
  it("links the session and adds the code in one step", () => spec.given([added]).when(link()).then(linked));
  it("refuses an unknown request (COMMAND-jae5P)", () => spec.given([]).when(link()).thenThrows(Errors.AuthRequest.NotExisting));
  it("refuses an expired request", () => spec.given([added]).when(link("2025-01-01T10:10:00.000Z")).thenThrows(Errors.AuthRequest.Expired));
  it("refuses a request already answered (COMMAND-Sx208nt)", () =>
    spec
      .given([added, ...linked])
      .when(link())
      .thenThrows(Errors.AuthRequest.AlreadyHandled));
  it("refuses a failed request", () =>
    spec
      .given([added, { type: "auth_request.failed", payload: { reason: "access_denied" } }])
      .when(link())
      .thenThrows(Errors.AuthRequest.AlreadyHandled));
});

describe("ExchangeCode", () => {
  it("exchanges the code once", () =>
    spec
      .given([added, ...linked])
      .when(exchange())
      .then([exchanged]));
  it("refuses a second exchange", () =>
    spec
      .given([added, ...linked, exchanged])
      .when(exchange())
      .thenThrows(Errors.AuthRequest.CodeExchanged));
  it("refuses another code", () =>
    spec
      .given([added, ...linked])
      .when(exchange("h2"))
      .thenThrows(Errors.AuthRequest.InvalidCode));
  it("refuses an expired code", () =>
    spec
      .given([added, ...linked])
      .when(exchange("h1", "2025-01-01T10:02:00.000Z"))
      .thenThrows(Errors.AuthRequest.CodeExpired));
  it("refuses a request without a code (COMMAND-SFwd2)", () => spec.given([added]).when(exchange()).thenThrows(Errors.AuthRequest.NoCode));
});

describe("FailAuthRequest", () => {
  it("fails a pending request", () =>
    spec
      .given([added])
      .when(fail)
      .then([{ type: "auth_request.failed", payload: { reason: "access_denied" } }]));
  it("cannot fail an answered one", () =>
    spec
      .given([added, ...linked])
      .when(fail)
      .thenThrows(Errors.AuthRequest.AlreadyHandled));
});
