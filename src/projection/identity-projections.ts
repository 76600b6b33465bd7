import type { RecordedEvent } from "../eventstore/event-store.js";
import type { MachineKeyAddedPayload, MachineKeyRemovedPayload, MachineSecretSetPayload } from "../domain/user/credentials.js";
import type { OrgDomainPayload } from "../domain/org/events.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";
import { bool, changeColumns, creationColumns } from "./tables.js";

/** Read models of the issuer: machine keys and secrets, signing keys, organisation domains. */

export const MACHINE_KEYS_TABLE = "machine_keys1";
export const MACHINE_SECRETS_TABLE = "machine_secrets1";
export const SIGNING_KEYS_TABLE = "signing_keys1";
export const ORG_DOMAINS_TABLE = "org_domains1";

/** The aggregate of the issuer's own key pairs (ZITADEL's name). */
export const KEY_PAIR_AGGREGATE = "key_pair";

/** Payload of `key_pair.added`: the private key only ever sealed with the master key. */
export interface KeyPairAddedPayload {
  usage: number;
  algorithm: string;
  privateKey: { key: string; expiry: string };
  publicKey: { key: string; expiry: string };
}

export const machineKeyProjection: Projection = {
  name: "machine_keys",
  events: ["user.machine.key.added", "user.machine.key.removed"],
  tables: [MACHINE_KEYS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${MACHINE_KEYS_TABLE} (
      instance_id TEXT NOT NULL,
      key_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      key_type INTEGER NOT NULL,
      public_key TEXT NOT NULL,
      expiration BIGINT NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, key_id)
    )`,
    `CREATE INDEX IF NOT EXISTS machine_keys1_user ON ${MACHINE_KEYS_TABLE} (instance_id, user_id)`,
  ],
  apply(event): Statement[] {
    if (event.aggregateType !== "user") return [];
    if (event.type === "user.machine.key.added") {
      const p = event.payload as MachineKeyAddedPayload;
      return [
        {
          kind: "upsert",
          table: MACHINE_KEYS_TABLE,
          key: { instance_id: event.instanceId, key_id: p.keyId },
          values: {
            user_id: event.aggregateId,
            key_type: p.type,
            public_key: Buffer.from(p.publicKey, "base64").toString("utf8"),
            expiration: Date.parse(p.expirationDate),
            ...creationColumns(event),
          },
        },
      ];
    }
    if (event.type === "user.machine.key.removed") {
      const p = event.payload as MachineKeyRemovedPayload;
      return [{ kind: "delete", table: MACHINE_KEYS_TABLE, key: { instance_id: event.instanceId, key_id: p.keyId, user_id: event.aggregateId } }];
    }
    return [];
  },
};

export const machineSecretProjection: Projection = {
  name: "machine_secrets",
  events: ["user.machine.secret.set", "user.machine.secret.removed"],
  tables: [MACHINE_SECRETS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${MACHINE_SECRETS_TABLE} (
      instance_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      hashed_secret TEXT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, user_id)
    )`,
  ],
  apply(event): Statement[] {
    const key = { instance_id: event.instanceId, user_id: event.aggregateId };
    if (event.type === "user.machine.secret.set") {
      const p = event.payload as MachineSecretSetPayload;
      return [{ kind: "upsert", table: MACHINE_SECRETS_TABLE, key, values: { hashed_secret: p.hashedSecret, ...changeColumns(event) } }];
    }
    if (event.type === "user.machine.secret.removed") return [{ kind: "delete", table: MACHINE_SECRETS_TABLE, key }];
    return [];
  },
};

export const signingKeyProjection: Projection = {
  name: "signing_keys",
  events: ["key_pair.added"],
  tables: [SIGNING_KEYS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${SIGNING_KEYS_TABLE} (
      instance_id TEXT NOT NULL,
      id TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      public_key TEXT NOT NULL,
      sealed_private_key TEXT NOT NULL,
      sign_until BIGINT NOT NULL,
      verify_until BIGINT NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, id)
    )`,
  ],
  apply(event: RecordedEvent): Statement[] {
    if (event.aggregateType !== KEY_PAIR_AGGREGATE || event.type !== "key_pair.added") return [];
    const p = event.payload as KeyPairAddedPayload;
    return [
      {
        kind: "upsert",
        table: SIGNING_KEYS_TABLE,
        key: { instance_id: event.instanceId, id: event.aggregateId },
        values: {
          algorithm: p.algorithm,
          public_key: p.publicKey.key,
          sealed_private_key: p.privateKey.key,
          sign_until: Date.parse(p.privateKey.expiry),
          verify_until: Date.parse(p.publicKey.expiry),
          ...creationColumns(event),
        },
      },
    ];
  },
};

export const orgDomainProjection: Projection = {
  name: "org_domains",
  events: ["org.domain.added", "org.domain.verified", "org.domain.primary.set", "org.domain.removed"],
  tables: [ORG_DOMAINS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${ORG_DOMAINS_TABLE} (
      instance_id TEXT NOT NULL,
      org_id TEXT NOT NULL,
      domain TEXT NOT NULL,
      is_verified INTEGER NOT NULL,
      is_primary INTEGER NOT NULL,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, org_id, domain)
    )`,
  ],
  apply(event): Statement[] {
    if (event.aggregateType !== "org" || !event.type.startsWith("org.domain.")) return [];
    const { domain } = event.payload as OrgDomainPayload;
    const key = { instance_id: event.instanceId, org_id: event.aggregateId, domain };
    switch (event.type) {
      case "org.domain.added":
        return [{ kind: "upsert", table: ORG_DOMAINS_TABLE, key, values: { is_verified: bool(false), is_primary: bool(false), ...creationColumns(event) } }];
      case "org.domain.verified":
        return [{ kind: "update", table: ORG_DOMAINS_TABLE, key, values: { is_verified: bool(true), ...changeColumns(event) } }];
      case "org.domain.primary.set":
        return [
          { kind: "update", table: ORG_DOMAINS_TABLE, key: { instance_id: event.instanceId, org_id: event.aggregateId }, values: { is_primary: 0 } },
          { kind: "update", table: ORG_DOMAINS_TABLE, key, values: { is_primary: 1, ...changeColumns(event) } },
        ];
      case "org.domain.removed":
        return [{ kind: "delete", table: ORG_DOMAINS_TABLE, key }];
      default:
        return [];
    }
  },
};

export const identityProjections: readonly Projection[] = [machineKeyProjection, machineSecretProjection, signingKeyProjection, orgDomainProjection];
