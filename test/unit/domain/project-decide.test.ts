import { describe, expect, it } from "vitest";
import { projectDecider } from "../../../src/domain/project/decider.js";
import type { OidcConfigAddedPayload, ProjectEvent } from "../../../src/domain/project/events.js";
import { checkOidcAppSettings, isAllowedRedirectUri, isOrigin, type OidcAppSettings } from "../../../src/domain/project/oidc-config.js";
import { Errors, ZError, type ErrorEntry } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";

const spec = deciderSpec(projectDecider);
const added = (): ProjectEvent => ({ type: "project.added", payload: { name: "Shop" } });
const config = (appId = "a1", clientId = "c1"): OidcConfigAddedPayload => ({
  appId,
  oidcVersion: 0,
  clientId,
  redirectUris: ["https://shop.example/cb"],
  responseTypes: [0],
  grantTypes: [0],
  applicationType: 0,
  authMethodType: 2,
  postLogoutRedirectUris: [],
  devMode: false,
  accessTokenType: 0,
  accessTokenRoleAssertion: false,
  idTokenRoleAssertion: false,
  idTokenUserinfoAssertion: false,
  clockSkew: 0,
  additionalOrigins: [],
  skipNativeAppSuccessPage: false,
  backChannelLogoutURI: "",
});
const appAdded = (appId = "a1", name = "Web"): ProjectEvent[] => [
  { type: "project.application.added", payload: { appId, name } },
  { type: "project.application.config.oidc.added", payload: config(appId) },
];

describe("AddProject", () => {
  it("adds the project", () => {
    spec
      .given([])
      .when({ type: "AddProject", project: { name: "Shop" } })
      .then([added()]);
  });
  it("rejects an id that exists", () => {
    spec
      .given([added()])
      .when({ type: "AddProject", project: { name: "Shop" } })
      .thenThrows(Errors.Project.AlreadyExisting);
  });
});

describe("AddOidcApp", () => {
  it("adds the application and its OIDC configuration", () => {
    spec.given([added()]).when({ type: "AddOidcApp", name: "Web", config: config() }).then(appAdded());
  });
  it("needs the project", () => {
    spec.given([]).when({ type: "AddOidcApp", name: "Web", config: config() }).thenThrows(Errors.Project.NotFound);
  });
  it("rejects a name the project uses already, and an app id that exists", () => {
    spec
      .given([added(), ...appAdded()])
      .when({ type: "AddOidcApp", name: "Web", config: config("a2", "c2") })
      .thenThrows(Errors.Project.AppNameTaken);
    spec
      .given([added(), ...appAdded()])
      .when({ type: "AddOidcApp", name: "Other", config: config("a1", "c2") })
      .thenThrows(Errors.Project.AppAlreadyExisting);
  });
  it("frees the name when the application is removed", () => {
    spec
      .given([added(), ...appAdded(), { type: "project.application.removed", payload: { appId: "a1" } }])
      .when({ type: "AddOidcApp", name: "Web", config: config("a2", "c2") })
      .then(appAdded("a2").map((event) => (event.type === "project.application.config.oidc.added" ? { ...event, payload: config("a2", "c2") } : event)));
  });
});

describe("RemoveApp", () => {
  it("removes an application once", () => {
    spec
      .given([added(), ...appAdded()])
      .when({ type: "RemoveApp", appId: "a1" })
      .then([{ type: "project.application.removed", payload: { appId: "a1" } }]);
    spec
      .given([added(), ...appAdded(), { type: "project.application.removed", payload: { appId: "a1" } }])
      .when({ type: "RemoveApp", appId: "a1" })
      .thenThrows(Errors.Project.AppNotExisting);
  });
  it("rejects an unknown application", () => {
    spec.given([added()]).when({ type: "RemoveApp", appId: "nope" }).thenThrows(Errors.Project.AppNotExisting);
  });
});

describe("evolve", () => {
  it("ignores events it does not know", () => {
    const state = projectDecider.evolve(projectDecider.initialState, { type: "project.role.added", payload: {} } as unknown as ProjectEvent);
    expect(state).toBe(projectDecider.initialState);
  });
});

const web: OidcAppSettings = {
  appType: "OIDC_APP_TYPE_WEB",
  authMethodType: "OIDC_AUTH_METHOD_TYPE_BASIC",
  redirectUris: ["https://shop.example/cb"],
  postLogoutRedirectUris: [],
  responseTypes: ["OIDC_RESPONSE_TYPE_CODE"],
  grantTypes: ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
  devMode: false,
  additionalOrigins: [],
  backChannelLogoutUri: "",
  clockSkewNanos: 0,
};

function rejection(settings: OidcAppSettings): ErrorEntry | undefined {
  try {
    checkOidcAppSettings(settings);
    return undefined;
  } catch (error) {
    if (error instanceof ZError) return error.entry;
    throw error;
  }
}

describe("OIDC application rules", () => {
  it("accepts a compliant web application", () => {
    expect(rejection(web)).toBeUndefined();
  });

  it.each([
    ["a relative URI", "/cb"],
    ["a fragment", "https://shop.example/cb#x"],
    ["plain http off loopback", "http://shop.example/cb"],
    ["a custom scheme on a web app", "com.example.app:/cb"],
    ["a script scheme", "javascript:alert(1)"],
    ["white space", "https://shop.example/c b"],
    ["no host", "https:///cb"],
  ])("refuses %s", (_what, uri) => {
    expect(rejection({ ...web, redirectUris: [uri] })).toBe(Errors.Project.RedirectUriInvalid);
    expect(rejection({ ...web, postLogoutRedirectUris: [uri] })).toBe(Errors.Project.RedirectUriInvalid);
  });

  it("allows http on loopback hosts always, elsewhere in dev mode only", () => {
    for (const uri of ["http://localhost:3000/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb", "http://app.localhost/cb"]) {
      expect(isAllowedRedirectUri(uri, "OIDC_APP_TYPE_WEB", false), uri).toBe(true);
    }
    expect(isAllowedRedirectUri("http://shop.example/cb", "OIDC_APP_TYPE_WEB", true)).toBe(true);
    expect(isAllowedRedirectUri("http://localhost.evil.example/cb", "OIDC_APP_TYPE_WEB", false)).toBe(false);
  });

  it("allows custom schemes for native applications, but never script or data schemes", () => {
    expect(isAllowedRedirectUri("com.example.app:/cb", "OIDC_APP_TYPE_NATIVE", false)).toBe(true);
    expect(isAllowedRedirectUri("com.example.app:/cb", "OIDC_APP_TYPE_USER_AGENT", false)).toBe(false);
    for (const uri of ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "vbscript:x"]) {
      expect(isAllowedRedirectUri(uri, "OIDC_APP_TYPE_NATIVE", true), uri).toBe(false);
    }
  });

  it("needs a redirect URI for browser flows", () => {
    expect(rejection({ ...web, redirectUris: [] })).toBe(Errors.Project.RedirectUriMissing);
  });

  it("needs the grant types the response types use (ZITADEL's rule)", () => {
    expect(rejection({ ...web, responseTypes: ["OIDC_RESPONSE_TYPE_ID_TOKEN"] })).toBe(Errors.Project.AppInvalid);
    expect(rejection({ ...web, responseTypes: ["OIDC_RESPONSE_TYPE_CODE"], grantTypes: ["OIDC_GRANT_TYPE_REFRESH_TOKEN"] })).toBe(Errors.Project.AppInvalid);
  });

  it("gives secrets to web applications only, and refuses private_key_jwt", () => {
    expect(rejection({ ...web, appType: "OIDC_APP_TYPE_USER_AGENT" })).toBe(Errors.Project.AuthMethodNotAllowed);
    expect(rejection({ ...web, appType: "OIDC_APP_TYPE_NATIVE", authMethodType: "OIDC_AUTH_METHOD_TYPE_POST" })).toBe(Errors.Project.AuthMethodNotAllowed);
    expect(rejection({ ...web, authMethodType: "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT" })).toBe(Errors.Project.AuthMethodNotAllowed);
    expect(rejection({ ...web, appType: "OIDC_APP_TYPE_USER_AGENT", authMethodType: "OIDC_AUTH_METHOD_TYPE_NONE" })).toBeUndefined();
  });

  it("bounds the lists, the URIs and the clock skew", () => {
    const many = Array.from({ length: 33 }, (_, i) => `https://shop.example/${i}`);
    expect(rejection({ ...web, redirectUris: many })).toBe(Errors.Project.TooManyUris);
    expect(rejection({ ...web, redirectUris: many.slice(0, 32) })).toBeUndefined();
    expect(rejection({ ...web, redirectUris: [`https://shop.example/${"a".repeat(2048)}`] })).toBe(Errors.Project.TooManyUris);
    expect(rejection({ ...web, clockSkewNanos: 5e9 + 1 })).toBe(Errors.Project.AppInvalid);
    expect(rejection({ ...web, clockSkewNanos: -1 })).toBe(Errors.Project.AppInvalid);
  });

  it("takes only origins as additional origins", () => {
    expect(isOrigin("https://shop.example")).toBe(true);
    expect(isOrigin("http://localhost:3000")).toBe(true);
    expect(isOrigin("https://shop.example/path")).toBe(false);
    expect(isOrigin("ftp://shop.example")).toBe(false);
    expect(rejection({ ...web, additionalOrigins: ["https://shop.example/x"] })).toBe(Errors.Project.OriginInvalid);
  });
});
