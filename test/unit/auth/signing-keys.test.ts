import { decodeProtectedHeader, jwtVerify, createLocalJWKSet } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveMasterKey } from "../../../src/auth/master-key.js";
import { createSecretBox, MasterKeyMismatchError } from "../../../src/auth/secret-box.js";
import { createSigningKeys } from "../../../src/auth/signing-keys.js";
import { createTokenIssuer } from "../../../src/auth/token-issuer.js";
import { createAccessTokenVerifier } from "../../../src/auth/token-verifier.js";
import { isZError, Errors } from "../../../src/errors.js";
import { createIdGenerator } from "../../../src/lib/ids.js";
import { sqliteFactory, type StoreFixture } from "../../support/stores.js";

const HOUR = 3_600_000;
let fixture: StoreFixture;
let now: number;
const clock = () => new Date(now);
const newId = createIdGenerator();

beforeEach(async () => {
  fixture = await sqliteFactory.create();
  now = Date.parse("2030-01-01T00:00:00Z");
});
afterEach(() => fixture.cleanup());

async function keysWith(secret = "m".repeat(32)) {
  const box = createSecretBox((await resolveMasterKey({ value: secret, path: "" })).key);
  return createSigningKeys({ store: fixture.store, box, clock, newId, instanceId: "i1", signingPeriodMs: 6 * HOUR, tokenLifetimeMs: 12 * HOUR });
}

describe("signing keys", () => {
  it("makes a key on first start and keeps using it, also from another process", async () => {
    const keys = await keysWith();
    await keys.start();
    const { kid } = await keys.signingKey();
    const other = await keysWith();
    await other.start();
    expect((await other.signingKey()).kid).toBe(kid);
    expect((await other.jwks()).keys.map((key) => key.kid)).toEqual([kid]);
  });

  it("rotates after the signing period and publishes the old key until its tokens have expired", async () => {
    const keys = await keysWith();
    await keys.start();
    const issuer = createTokenIssuer({ keys, issuer: "https://id.example", clock, newId, lifetimeMs: 12 * HOUR });
    const verifier = createAccessTokenVerifier({ keys, issuer: "https://id.example", audience: "api", clock });
    const old = await issuer.issue({ subject: "u1", clientId: "u1", audience: ["api"], scopes: ["openid"] });
    const oldKid = decodeProtectedHeader(old.accessToken).kid;

    now += 6 * HOUR + 1;
    const fresh = await issuer.issue({ subject: "u1", clientId: "u1", audience: ["api"], scopes: ["openid"] });
    const newKid = decodeProtectedHeader(fresh.accessToken).kid;
    expect(newKid).not.toBe(oldKid);
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    await expect(verifier.verify(old.accessToken)).resolves.toMatchObject({ subject: "u1" });

    // The old key's last token expires 12h after its signing period ends; then the key goes.
    now += 12 * HOUR;
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([newKid]);
    await expect(verifier.verify(old.accessToken)).rejects.toSatisfy((error) => isZError(error, Errors.Auth.TokenInvalid));
    const jwks = createLocalJWKSet(await keys.jwks());
    await expect(jwtVerify(fresh.accessToken, jwks, { currentDate: new Date(now - HOUR) })).resolves.toMatchObject({ payload: { sub: "u1" } });
  });

  it("never signs a token that outlives its key's publication", async () => {
    const keys = await keysWith();
    await keys.start();
    now += 6 * HOUR - 1000; // the key signs for one more second
    const issuer = createTokenIssuer({ keys, issuer: "https://id.example", clock, newId, lifetimeMs: 24 * HOUR });
    const { expiresIn } = await issuer.issue({ subject: "u1", clientId: "u1", audience: [], scopes: [] });
    expect(expiresIn).toBeLessThanOrEqual(12 * 3600 + 1);
  });

  it("refuses to start with a master key that did not seal the keys", async () => {
    await (await keysWith()).start();
    await expect((await keysWith("n".repeat(32))).start()).rejects.toBeInstanceOf(MasterKeyMismatchError);
  });

  it("stores the private key only sealed", async () => {
    await (await keysWith()).start();
    const events = JSON.stringify(await fixture.store.readAll(0, 100));
    expect(events).toContain("key_pair.added");
    expect(events).not.toContain("PRIVATE KEY");
  });
});
