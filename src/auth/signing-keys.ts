import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { exportJWK, type JWK } from "jose";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import { KEY_PAIR_AGGREGATE, SIGNING_KEYS_TABLE, type KeyPairAddedPayload } from "../projection/identity-projections.js";
import type { SecretBox } from "./secret-box.js";

export const SIGNING_ALGORITHM = "RS256";

export interface SigningKeysOptions {
  readonly store: EventStore;
  readonly box: SecretBox;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly instanceId: string;
  /** How long one key signs before the next one takes over. */
  readonly signingPeriodMs: number;
  /** The longest lifetime of a token signed by a key: its public key stays published this long after. */
  readonly tokenLifetimeMs: number;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** Tokens signed now must expire by then (epoch ms): the key is published until this time. */
  readonly verifyUntil: number;
}

export interface SigningKeys {
  /** Loads the keys, checks the master key opens them, and makes the first key if there is none. */
  start(): Promise<void>;
  /** The key to sign with now; rotates to a new key when the current one's signing period has ended. */
  signingKey(): Promise<SigningKey>;
  /** The public key with this id while tokens it signed may still be valid. */
  verificationKey(kid: string): Promise<KeyObject | undefined>;
  /** The published key set: every key whose tokens may still be valid, newest first. */
  jwks(): Promise<{ keys: JWK[] }>;
}

interface StoredKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
  readonly sealedPrivateKey: string;
  readonly signUntil: number;
  readonly verifyUntil: number;
  privateKey?: KeyObject;
  jwk?: JWK;
}

interface KeyRow {
  id: string;
  public_key: string;
  sealed_private_key: string;
  sign_until: number | string;
  verify_until: number | string;
}

const generateRsaKeyPair = promisify(generateKeyPair);
/** An unknown key id makes us look for keys other processes added, at most this often. */
const RELOAD_INTERVAL_MS = 1000;

/**
 * The issuer's RS256 keys. Each key pair is an event (`key_pair.added`) whose
 * private key is sealed with the master key, so every process sharing the
 * store signs and verifies with the same keys. A key signs for one period;
 * its public key stays in the JWKS until the last token it signed expires.
 */
export function createSigningKeys(options: SigningKeysOptions): SigningKeys {
  const { store, box, clock, instanceId } = options;
  const keys = new Map<string, StoredKey>();
  const now = () => clock().getTime();
  let lastLoad = 0;
  let loading: Promise<void> | undefined;
  let creating: Promise<StoredKey> | undefined;

  const load = () =>
    (loading ??= (async () => {
      try {
        const rows = await store.query<KeyRow>(
          `SELECT id, public_key, sealed_private_key, sign_until, verify_until FROM ${SIGNING_KEYS_TABLE} WHERE instance_id = ? AND verify_until > ?`,
          [instanceId, now()],
        );
        for (const row of rows) {
          if (keys.has(row.id)) continue;
          keys.set(row.id, {
            kid: row.id,
            publicKey: createPublicKey(row.public_key),
            sealedPrivateKey: row.sealed_private_key,
            signUntil: Number(row.sign_until),
            verifyUntil: Number(row.verify_until),
          });
        }
        lastLoad = now();
      } finally {
        loading = undefined;
      }
    })());

  const live = () => {
    const at = now();
    for (const [kid, key] of keys) if (key.verifyUntil <= at) keys.delete(kid);
    return [...keys.values()].sort((a, b) => b.signUntil - a.signUntil);
  };

  const currentSigner = () => live().find((key) => key.signUntil > now());

  const create = () =>
    (creating ??= (async () => {
      try {
        const { publicKey, privateKey } = await generateRsaKeyPair("rsa", { modulusLength: 2048 });
        const kid = options.newId();
        const created = now();
        const signUntil = created + options.signingPeriodMs;
        const verifyUntil = signUntil + options.tokenLifetimeMs;
        const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
        const payload: KeyPairAddedPayload = {
          usage: 0,
          algorithm: SIGNING_ALGORITHM,
          privateKey: { key: box.seal(privateKey.export({ type: "pkcs8", format: "pem" }).toString()), expiry: new Date(signUntil).toISOString() },
          publicKey: { key: publicPem, expiry: new Date(verifyUntil).toISOString() },
        };
        await store.append([
          {
            stream: { instanceId, aggregateType: KEY_PAIR_AGGREGATE, aggregateId: kid },
            owner: instanceId,
            expectedSequence: 0,
            events: [{ type: "key_pair.added", payload, creator: "SYSTEM" }],
          },
        ]);
        const key: StoredKey = { kid, publicKey, privateKey, sealedPrivateKey: payload.privateKey.key, signUntil, verifyUntil };
        keys.set(kid, key);
        return key;
      } finally {
        creating = undefined;
      }
    })());

  const unseal = (key: StoredKey): KeyObject => (key.privateKey ??= createPrivateKey(box.open(key.sealedPrivateKey)));

  return {
    async start() {
      await load();
      const newest = live()[0];
      // Fails here, at start-up, when the master key is not the one the keys were sealed with.
      if (newest) unseal(newest);
      if (!currentSigner()) await create();
    },

    async signingKey() {
      let key = currentSigner();
      if (!key) {
        await load(); // another process may have rotated already
        // Processes that rotate at the same moment each add a key; all of them are published.
        key = currentSigner() ?? (await create());
      }
      return { kid: key.kid, privateKey: unseal(key), verifyUntil: key.verifyUntil };
    },

    async verificationKey(kid) {
      let key = keys.get(kid);
      if (!key && now() - lastLoad >= RELOAD_INTERVAL_MS) {
        await load();
        key = keys.get(kid);
      }
      return key && key.verifyUntil > now() ? key.publicKey : undefined;
    },

    async jwks() {
      if (now() - lastLoad >= RELOAD_INTERVAL_MS) await load();
      const published = await Promise.all(
        live().map(async (key) => (key.jwk ??= { ...(await exportJWK(key.publicKey)), kid: key.kid, alg: SIGNING_ALGORITHM, use: "sig" })),
      );
      return { keys: published };
    },
  };
}
