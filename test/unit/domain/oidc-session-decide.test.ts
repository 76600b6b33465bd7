import { describe, it } from "vitest";
import { oidcSessionDecider } from "../../../src/domain/oidc-session/decider.js";
import type { OidcSessionEvent, RefreshTokenAddedPayload } from "../../../src/domain/oidc-session/events.js";
import type { OidcSessionCommand } from "../../../src/domain/oidc-session/oidc-session.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";

const spec = deciderSpec(oidcSessionDecider);
const grant = {
  userID: "u1",
  sessionID: "s1",
  clientID: "c1",
  audience: ["p1"],
  scope: ["openid", "offline_access"],
  authMethods: ["pwd"],
  authTime: "2025-01-01T10:00:00.000Z",
};
const refresh: RefreshTokenAddedPayload = {
  id: "r1",
  lifetime: 1,
  idleLifetime: 1,
  tokenHash: "h1",
  expiresAt: "2025-03-01T00:00:00.000Z",
  idleExpiresAt: "2025-02-01T00:00:00.000Z",
};
const added: OidcSessionEvent[] = [
  { type: "oidc_session.added", payload: grant },
  { type: "oidc_session.refresh_token.added", payload: refresh },
];
const renew = (presentedHash = "h1", now = "2025-01-02T00:00:00.000Z", idleExpiresAt = "2025-02-02T00:00:00.000Z"): OidcSessionCommand => ({
  type: "RenewRefreshToken",
  now,
  presentedHash,
  next: { id: "r2", idleLifetime: 1, tokenHash: "h2", idleExpiresAt },
});
const renewed: OidcSessionEvent = {
  type: "oidc_session.refresh_token.renewed",
  payload: { id: "r2", idleLifetime: 1, tokenHash: "h2", idleExpiresAt: "2025-02-02T00:00:00.000Z" },
};
const revoked: OidcSessionEvent = { type: "oidc_session.refresh_token.revoked", payload: { reason: "signed out" } };

describe("StartOidcSession", () => {
  it("records the grant and its refresh token", () => spec.given([]).when({ type: "StartOidcSession", grant, refreshToken: refresh }).then(added));
  it("records a grant without a refresh token", () => spec.given([]).when({ type: "StartOidcSession", grant }).then([added[0]!]));
});

describe("RenewRefreshToken", () => {
  it("replaces the current token", () => spec.given(added).when(renew()).then([renewed]));
  it("refuses the token it replaced", () =>
    spec
      .given([...added, renewed])
      .when(renew("h1"))
      .thenThrows(Errors.OidcSession.RefreshTokenInvalid));
  it("accepts the newest token", () =>
    spec
      .given([...added, renewed])
      .when({
        ...(renew("h2") as object),
        next: { id: "r3", idleLifetime: 1, tokenHash: "h3", idleExpiresAt: "2025-02-03T00:00:00.000Z" },
      } as OidcSessionCommand)
      .then([
        { type: "oidc_session.refresh_token.renewed", payload: { id: "r3", idleLifetime: 1, tokenHash: "h3", idleExpiresAt: "2025-02-03T00:00:00.000Z" } },
      ]));
  it("refuses an idle token", () => spec.given(added).when(renew("h1", "2025-02-01T00:00:00.000Z")).thenThrows(Errors.OidcSession.RefreshTokenExpired));
  it("never extends past the absolute end", () =>
    spec
      .given(added)
      .when(renew("h1", "2025-01-31T00:00:00.000Z", "2025-03-02T00:00:00.000Z"))
      .then([{ type: "oidc_session.refresh_token.renewed", payload: { ...renewed.payload, idleExpiresAt: "2025-03-01T00:00:00.000Z" } } as OidcSessionEvent]));
  it("refuses a revoked session", () =>
    spec
      .given([...added, revoked])
      .when(renew())
      .thenThrows(Errors.OidcSession.RefreshTokenInvalid));
});

describe("RevokeOidcSession", () => {
  it("revokes an active session", () => spec.given(added).when({ type: "RevokeOidcSession", reason: "signed out" }).then([revoked]));
  it("changes nothing on a revoked one", () =>
    spec
      .given([...added, revoked])
      .when({ type: "RevokeOidcSession", reason: "again" })
      .then([]));
});
