import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { SigningKeys } from "../../../src/auth/signing-keys.js";
import { createAccessTokenVerifier, looksLikeJwt } from "../../../src/auth/token-verifier.js";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
let now = Date.parse("2030-01-01T00:00:00Z");
let lookups = 0;
const keys = {
  async verificationKey(kid: string) {
    lookups++;
    return kid === "k1" ? publicKey : undefined;
  },
} as SigningKeys;
const verifier = createAccessTokenVerifier({ keys, issuer: "https://id.example", audience: "api", clock: () => new Date(now) });
const token = (claims: Record<string, unknown> = {}, kid = "k1") =>
  new SignJWT({ aud: ["api", "u1"], ...claims })
    .setProtectedHeader({ alg: "RS256", kid })
    .setIssuer("https://id.example")
    .setSubject("u1")
    .setIssuedAt(now / 1000)
    .setExpirationTime(now / 1000 + 60)
    .sign(privateKey);

describe("access token verifier", () => {
  it("verifies a token once and then answers from memory until it expires", async () => {
    const jwt = await token();
    lookups = 0;
    await expect(verifier.verify(jwt)).resolves.toEqual({ subject: "u1", expiresAt: now + 60_000 });
    await verifier.verify(jwt);
    expect(lookups).toBe(1);
    now += 61_000;
    await expect(verifier.verify(jwt)).rejects.toThrow("Errors.Token.Invalid");
    now -= 61_000;
  });

  it("does not remember failures", async () => {
    const jwt = await token({}, "k2");
    lookups = 0;
    await expect(verifier.verify(jwt)).rejects.toThrow();
    await expect(verifier.verify(jwt)).rejects.toThrow();
    expect(lookups).toBe(2);
  });

  it("tells JWTs from opaque tokens", () => {
    expect(looksLikeJwt("a.b.c")).toBe(true);
    expect(looksLikeJwt("eyJ.eyJ.")).toBe(true);
    expect(looksLikeJwt("bm90LWEtand0")).toBe(false);
    expect(looksLikeJwt("a.b")).toBe(false);
  });
});
