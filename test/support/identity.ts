import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import type { TestApp } from "./test-app.js";

/** A service-account key file in ZITADEL's format. */
export interface KeyFile {
  readonly type: string;
  readonly keyId: string;
  readonly key: string;
  readonly expirationDate: string;
  readonly userId: string;
}

export const API_SCOPE = "openid urn:zitadel:iam:org:project:id:zitadel:aud";

export function readKeyFile(path: string): KeyFile {
  return JSON.parse(readFileSync(path, "utf8")) as KeyFile;
}

/** The bootstrap admin's key file, which every test app writes. */
export function adminKeyFile(t: TestApp): KeyFile {
  return readKeyFile(join(t.dir, "admin-key.json"));
}

export async function discovery(t: TestApp): Promise<{ issuer: string; token_endpoint: string; jwks_uri: string } & Record<string, unknown>> {
  return (await fetch(`${t.baseUrl}/.well-known/openid-configuration`)).json() as never;
}

export interface AssertionOverrides {
  readonly kid?: string;
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly iat?: number;
  readonly exp?: number;
  readonly key?: KeyObject;
}

/** A JWT profile assertion as ZITADEL's SDKs build it from a key file, signed with jose. */
export async function signAssertion(keyFile: KeyFile, issuer: string, overrides: AssertionOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: overrides.kid ?? keyFile.keyId })
    .setIssuer(overrides.iss ?? keyFile.userId)
    .setSubject(overrides.sub ?? keyFile.userId)
    .setAudience(overrides.aud ?? issuer)
    .setIssuedAt(overrides.iat ?? now)
    .setExpirationTime(overrides.exp ?? now + 3600)
    .sign(overrides.key ?? createPrivateKey(keyFile.key));
}

export interface TokenAnswer {
  readonly status: number;
  readonly json: any;
  readonly headers: Headers;
}

/** POSTs a form to the token endpoint with fetch. */
export async function tokenRequest(t: TestApp, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const response = await fetch(`${t.baseUrl}/oauth/v2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, json: await response.json(), headers: response.headers };
}

/** Exchanges a key file for an access token (JWT profile grant); fails the test on an error answer. */
export async function accessTokenFor(t: TestApp, keyFile: KeyFile, scope = API_SCOPE): Promise<string> {
  const { issuer } = await discovery(t);
  const answer = await tokenRequest(t, {
    grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    assertion: await signAssertion(keyFile, issuer),
    scope,
  });
  if (answer.status !== 200) throw new Error(`token request failed: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json.access_token as string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * A service account in an organisation (the admin acts there with
 * x-zitadel-orgid), with the given org roles and a key file of its own.
 */
export async function createServiceAccount(
  t: TestApp,
  options: { orgId: string; roles?: string[]; name?: string },
): Promise<{ userId: string; keyFile: KeyFile }> {
  const headers = { ...t.auth(), "x-zitadel-orgid": options.orgId };
  const client = t.client("connect-binary");
  const userName = options.name ?? `svc-${Math.random().toString(36).slice(2)}`;
  const { userId } = await client.addMachineUser({ userName, name: userName }, { headers });
  if (options.roles?.length) await client.addOrgMember({ userId, roles: options.roles }, { headers });
  const { keyDetails } = await client.addMachineKey({ userId, type: 1 }, { headers });
  return { userId, keyFile: JSON.parse(Buffer.from(keyDetails).toString("utf8")) as KeyFile };
}

/** Makes a user an instance member, which only the first start does through the API. */
export async function grantInstanceRoles(t: TestApp, userId: string, roles: string[]): Promise<void> {
  const { instanceId } = t.app.instance;
  const stream = { instanceId, aggregateType: "instance", aggregateId: instanceId };
  const { info } = await t.app.store.load(stream);
  await t.app.store.append([
    {
      stream,
      owner: info?.owner ?? instanceId,
      expectedSequence: info?.sequence ?? 0,
      events: [{ type: "instance.member.added", payload: { userId, roles }, creator: "SYSTEM" }],
    },
  ]);
}

export { bearer };
