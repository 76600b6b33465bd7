import { describe, expect, it } from "vitest";
import { OAuthError } from "../../../src/oauth/oauth-error.js";
import { grantScopes } from "../../../src/oauth/scopes.js";

describe("scopes", () => {
  it("adds the API audience for the ZITADEL project scope, by name or by id", () => {
    expect(grantScopes("openid urn:zitadel:iam:org:project:id:zitadel:aud", "p1")).toEqual({
      scopes: ["openid", "urn:zitadel:iam:org:project:id:zitadel:aud"],
      audience: ["p1"],
      orgId: undefined,
    });
    expect(grantScopes("openid urn:zitadel:iam:org:project:id:p1:aud", "p1").audience).toEqual(["p1"]);
  });

  it("drops scopes it does not know, including other projects", () => {
    expect(grantScopes("openid  profile urn:zitadel:iam:org:project:id:other:aud made:up", "p1")).toEqual({
      scopes: ["openid", "profile"],
      audience: [],
      orgId: undefined,
    });
  });

  it("reads the organisation scope", () => {
    expect(grantScopes("openid urn:zitadel:iam:org:id:42", "p1").orgId).toBe("42");
    expect(() => grantScopes("openid urn:zitadel:iam:org:id:1 urn:zitadel:iam:org:id:2", "p1")).toThrow(OAuthError);
  });

  it("requires a scope, and openid in it", () => {
    expect(() => grantScopes(null, "p1")).toThrow(expect.objectContaining({ error: "invalid_request" }));
    expect(() => grantScopes("profile", "p1")).toThrow(expect.objectContaining({ error: "invalid_scope" }));
  });
});
