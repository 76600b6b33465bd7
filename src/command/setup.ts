import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { INSTANCE_AGGREGATE, ORG_AGGREGATE } from "../domain/instance/events.js";
import { userDecider } from "../domain/user/decider.js";
import type { UserEvent } from "../domain/user/events.js";
import { ConfigError } from "../config.js";
import { Errors, isZError } from "../errors.js";
import type { AppendCommand, EventStore } from "../eventstore/event-store.js";
import { newPersonalAccessToken, hashToken } from "../auth/tokens.js";
import { generateMachineKeyPair, KEY_TYPE_JSON, machineKeyFile, NO_EXPIRATION } from "../auth/machine-keys.js";
import type { IdGenerator } from "../lib/ids.js";
import { createPasswordHasher, type PasswordHasher } from "../lib/password-hash.js";
import { INSTANCES_TABLE } from "../projection/access-projections.js";
import { usernameClaims } from "./user-aggregate.js";
import { orgClaims, orgDomainOf } from "./org-commands.js";
import { orgDecider } from "../domain/org/decider.js";

export interface FirstInstance {
  readonly instanceId: string;
  readonly defaultOrgId: string;
  /** Set only when this call created the instance. */
  readonly created?: {
    readonly adminUserId: string;
    readonly patPath?: string;
    readonly machineKeyPath?: string;
    /** The human admin, who signs in to the console with the password in `adminPasswordPath`. */
    readonly humanAdminUserId?: string;
    readonly adminPasswordPath?: string;
  };
}

export interface SetupOptions {
  readonly store: EventStore;
  readonly newId: IdGenerator;
  readonly instanceName: string;
  readonly orgName: string;
  readonly adminUserName: string;
  /** Where to write the admin's personal access token (owner-only permissions). */
  readonly patPath?: string;
  /** Where to write the admin's service-account key file (ZITADEL's JSON, owner-only permissions). */
  readonly machineKeyPath?: string;
  /**
   * Where to write the generated password of a human admin (user name "admin", IAM_OWNER) who signs in
   * to the console; without it no human admin is created.
   */
  readonly adminPasswordPath?: string;
  /** The instance's domain (the external URL's host); organisation domains end with it. */
  readonly instanceDomain?: string;
  /** Hashes the human admin's password; the default cost without it. */
  readonly passwords?: PasswordHasher;
}

const SYSTEM = "SYSTEM";
const PAT_EXPIRATION = "9999-12-31T23:59:59Z";

/**
 * Creates the first instance on an empty store: the instance, a default
 * organisation and an admin machine user with IAM_OWNER and a personal access
 * token. Safe when several processes start at once: one wins, the others read.
 */
export async function ensureFirstInstance(options: SetupOptions): Promise<FirstInstance> {
  const existing = await findFirstInstance(options.store);
  if (existing) return existing;
  // Refuse before anything is created: no instance whose token nobody has.
  try {
    assertFirstStartFilesAreNew(options);
  } catch (error) {
    // Another process may have just created the instance and written the file.
    const winner = await findFirstInstance(options.store);
    if (winner) return winner;
    throw error;
  }

  const { newId } = options;
  const instanceId = newId();
  const orgId = newId();
  const adminUserId = newId();
  const token = newPersonalAccessToken();
  const member = { userId: adminUserId };
  const userEvents: UserEvent[] = [
    { type: "user.machine.added", payload: { userName: options.adminUserName, name: "Administrator", description: "Created on first start" } },
    { type: "user.pat.added", payload: { tokenId: newId(), expiration: PAT_EXPIRATION, scopes: ["openid"], tokenHash: hashToken(token) } },
  ];
  const machineKey = options.machineKeyPath ? await adminMachineKey(newId(), adminUserId) : undefined;
  const human = options.adminPasswordPath
    ? await humanAdmin(newId(), options.instanceDomain ?? "localhost", options.passwords ?? createPasswordHasher())
    : undefined;
  if (machineKey) userEvents.push(machineKey.event);
  const stream = (aggregateType: string, aggregateId: string) => ({ instanceId, aggregateType, aggregateId });
  const primaryDomain = orgDomainOf(options.orgName, options.instanceDomain ?? "localhost");
  const orgEvents = orgDecider.decide({ type: "AddOrg", name: options.orgName, primaryDomain, ownerId: adminUserId }, orgDecider.initialState);
  const commands: AppendCommand[] = [
    {
      stream: stream(INSTANCE_AGGREGATE, instanceId),
      owner: instanceId,
      expectedSequence: 0,
      events: [
        { type: "instance.added", payload: { name: options.instanceName }, creator: SYSTEM },
        { type: "instance.default.org.set", payload: { orgId }, creator: SYSTEM },
        { type: "instance.member.added", payload: { ...member, roles: ["IAM_OWNER"] }, creator: SYSTEM },
        ...(human ? [{ type: "instance.member.added", payload: { userId: human.userId, roles: ["IAM_OWNER"] }, creator: SYSTEM }] : []),
      ],
    },
    {
      stream: stream(ORG_AGGREGATE, orgId),
      owner: orgId,
      expectedSequence: 0,
      events: orgEvents.map((event) => ({ ...event, creator: SYSTEM })),
      uniqueClaims: orgClaims(orgEvents),
    },
    {
      stream: stream(userDecider.aggregateType, adminUserId),
      owner: orgId,
      expectedSequence: 0,
      events: userEvents.map((event) => ({ ...event, creator: SYSTEM })),
      uniqueClaims: usernameClaims(userEvents),
      snapshot: { revision: userDecider.snapshotRevision, state: userEvents.reduce(userDecider.evolve, userDecider.initialState) },
    },
  ];
  if (human) {
    commands.push({
      stream: stream(userDecider.aggregateType, human.userId),
      owner: orgId,
      expectedSequence: 0,
      events: human.events.map((event) => ({ ...event, creator: SYSTEM })),
      uniqueClaims: usernameClaims(human.events),
      snapshot: { revision: userDecider.snapshotRevision, state: human.events.reduce(userDecider.evolve, userDecider.initialState) },
    });
  }
  // A fixed stream that every process tries to start: only one first instance wins.
  commands.push({
    stream: { instanceId: "", aggregateType: "system", aggregateId: "first_instance" },
    owner: "",
    expectedSequence: 0,
    events: [{ type: "system.first_instance.set", payload: { instanceId }, creator: SYSTEM }],
  });
  try {
    await options.store.append(commands);
  } catch (error) {
    const winner = isZError(error, Errors.ConcurrentModification) ? await findFirstInstance(options.store) : undefined;
    if (winner) return winner;
    throw error;
  }
  if (options.patPath) await writeSecretFile(options.patPath, `${token}\n`);
  if (machineKey && options.machineKeyPath) await writeSecretFile(options.machineKeyPath, `${machineKey.file}\n`);
  if (human && options.adminPasswordPath) await writeSecretFile(options.adminPasswordPath, `${human.password}\n`);
  return {
    instanceId,
    defaultOrgId: orgId,
    created: {
      adminUserId,
      patPath: options.patPath,
      machineKeyPath: options.machineKeyPath,
      humanAdminUserId: human?.userId,
      adminPasswordPath: human && options.adminPasswordPath,
    },
  };
}

/**
 * A first start writes the admin's token (and key) file; an existing one
 * belongs to another instance (another database in the same folder), whose
 * CLI and scripts would lose their access if it were replaced.
 */
export function assertFirstStartFilesAreNew(paths: { readonly patPath?: string; readonly machineKeyPath?: string; readonly adminPasswordPath?: string }) {
  const files = [
    { path: paths.patPath, what: "admin token file", setting: "LATCHKEY_FIRST_INSTANCE_PAT_PATH / --first-instance-pat-path" },
    { path: paths.machineKeyPath, what: "admin machine key file", setting: "LATCHKEY_FIRST_INSTANCE_MACHINE_KEY_PATH / --first-instance-machine-key-path" },
    {
      path: paths.adminPasswordPath,
      what: "admin password file",
      setting: "LATCHKEY_FIRST_INSTANCE_ADMIN_PASSWORD_PATH / --first-instance-admin-password-path",
    },
  ];
  for (const file of files) {
    if (file.path && existsSync(file.path)) {
      throw new ConfigError(
        `the ${file.what} ${file.path} exists already and a first start never overwrites it (it may belong to the instance of another database); ` +
          `set ${file.setting} to a new file, or move the old one away if it is no longer needed`,
      );
    }
  }
}

async function findFirstInstance(store: EventStore): Promise<FirstInstance | undefined> {
  const rows = await store.query<{ id: string; default_org_id: string }>(`SELECT id, default_org_id FROM ${INSTANCES_TABLE} ORDER BY creation_date LIMIT 1`);
  const row = rows[0];
  return row ? { instanceId: row.id, defaultOrgId: row.default_org_id } : undefined;
}

async function writeSecretFile(path: string, content: string) {
  await mkdir(dirname(path), { recursive: true });
  // "wx": never replace a file, even one that appeared since the check above.
  await writeFile(path, content, { mode: 0o600, flag: "wx" });
  await chmod(path, 0o600); // exactly owner-only, whatever the umask
}

/** A key pair for the admin's service account: its event, and the key file with the private half. */
async function adminMachineKey(keyId: string, userId: string) {
  const pair = await generateMachineKeyPair();
  const expirationDate = new Date(NO_EXPIRATION);
  const event: UserEvent = {
    type: "user.machine.key.added",
    payload: { keyId, type: KEY_TYPE_JSON, expirationDate: NO_EXPIRATION, publicKey: Buffer.from(pair.publicKeyPem).toString("base64") },
  };
  return { event, file: machineKeyFile({ keyId, privateKeyPem: pair.privateKeyPem, expirationDate, userId }) };
}

/** Where the human admin's password goes unless configured: next to the admin token file. */
export function adminPasswordPathOf(config: { readonly firstInstancePatPath: string; readonly firstInstanceAdminPasswordPath: string }): string {
  return config.firstInstanceAdminPasswordPath || join(dirname(config.firstInstancePatPath), "admin.password");
}

/** User name of the human admin the first start creates. */
export const HUMAN_ADMIN_USER_NAME = "admin";

/** The human admin's events (password hashed, email verified) and its generated password. */
async function humanAdmin(userId: string, instanceDomain: string, passwords: PasswordHasher) {
  // 24 random characters plus one of each class, so any password policy's complexity rules hold.
  const password = `${randomBytes(18).toString("base64url")}-Aa1`;
  const events: UserEvent[] = [
    {
      type: "user.human.added",
      payload: {
        userName: HUMAN_ADMIN_USER_NAME,
        firstName: "Latchkey",
        lastName: "Administrator",
        displayName: "Latchkey Administrator",
        email: `${HUMAN_ADMIN_USER_NAME}@${instanceDomain}`,
        encodedHash: await passwords.hash(password),
      },
    },
    { type: "user.human.email.verified", payload: null },
  ];
  return { userId, password, events };
}
