import { existsSync } from "node:fs";
import { operatorAccess } from "../auth/acting-on-check.js";
import { createUserAggregate } from "../command/user-aggregate.js";
import { createUserCommands } from "../command/user-commands.js";
import type { Config } from "../config.js";
import { ZError, statusMessage } from "../errors.js";
import { createIdGenerator } from "../lib/ids.js";
import { createPasswordHasher } from "../lib/password-hash.js";
import { writeNewSecretFile } from "../lib/secret-file.js";
import { StoreInUseError } from "../eventstore/sqlite-lock.js";
import { UsageError } from "./args.js";
import { restClient } from "./rest-client.js";
import { openConfiguredStore } from "./store.js";

export interface UsersOptions {
  readonly action: string | undefined;
  readonly userId: string | undefined;
  readonly local: boolean;
  readonly json: boolean;
  readonly token?: string;
  readonly url?: string;
  /** add-key: where to write the key file. */
  readonly outFile?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
}

interface UserRow {
  readonly id: string;
  readonly userName: string;
  readonly state: string;
  readonly org: string;
}

/** `latchkey users list|lock|unlock|add-key`: against a running server over REST, or the store with --local. */
export async function runUsersCommand(config: Config, options: UsersOptions): Promise<number> {
  const { action, userId } = options;
  if (action !== "list" && action !== "lock" && action !== "unlock" && action !== "add-key") {
    throw new UsageError(
      `users needs an action: list, lock <user-id>, unlock <user-id> or add-key <user-id> --out <file>${action ? ` (got "${action}")` : ""}`,
    );
  }
  if (action !== "list" && !userId) throw new UsageError(`users ${action} needs a user id`);
  if (action === "add-key") return addKey(config, options, userId!);
  const backend = options.local ? await localBackend(config) : remoteBackend(config, options);
  try {
    if (action === "list") {
      const users = await backend.list();
      if (options.json) options.out(`${JSON.stringify(users, null, 2)}\n`);
      else options.out(table(users));
      return 0;
    }
    const sequence = await backend.change(action, userId!);
    options.out(options.json ? `${JSON.stringify({ id: userId, action, sequence })}\n` : `${action}ed user ${userId} (sequence ${sequence})\n`);
    return 0;
  } finally {
    await backend.close();
  }
}

/** AddMachineKey over REST, then the key file the answer carries (the same JSON the first start writes). */
async function addKey(config: Config, options: UsersOptions, userId: string): Promise<number> {
  const out = options.outFile;
  if (!out) throw new UsageError("users add-key needs --out <file>, where the key file goes");
  if (options.local) throw new UsageError("users add-key works through the server only; drop --local");
  // Checked first as well, so that no key is added whose file could not be written.
  if (existsSync(out)) throw new Error(`${out} exists; it is never overwritten`);
  const json = await remoteCall(config, options)(`/management/v1/users/${encodeURIComponent(userId)}/keys`, { type: "KEY_TYPE_JSON" });
  const keyFile = Buffer.from(String(json.keyDetails ?? ""), "base64").toString("utf8");
  if (!keyFile) throw new Error("the server returned no key file");
  await writeNewSecretFile(out, `${keyFile}\n`);
  const keyId = String(json.keyId);
  options.out(options.json ? `${JSON.stringify({ userId, keyId, keyFile: out })}\n` : `added key ${keyId} to user ${userId}; key file written to ${out}\n`);
  return 0;
}

interface Backend {
  list(): Promise<UserRow[]>;
  change(action: "lock" | "unlock", userId: string): Promise<string>;
  close(): Promise<void>;
}

/** POSTs JSON to the server's REST API with a token, like any client. */
export function remoteCall(config: Config, options: Pick<UsersOptions, "url" | "token" | "env">) {
  const call = restClient(config, options);
  return (path: string, body: unknown) => call("POST", path, body);
}

/** Calls the server's REST API with a token, like any client. */
function remoteBackend(config: Config, options: UsersOptions): Backend {
  const call = remoteCall(config, options);
  return {
    async list() {
      const json = await call("/management/v1/users/_search", { query: { limit: 1000 } });
      return ((json.result ?? []) as Array<Record<string, unknown>>).map((user) => ({
        id: String(user.id),
        userName: String(user.userName ?? ""),
        state: String(user.state ?? "")
          .replace(/^USER_STATE_/, "")
          .toLowerCase(),
        org: String((user.details as { resourceOwner?: unknown } | undefined)?.resourceOwner ?? ""),
      }));
    },
    async change(action, userId) {
      const json = await call(`/management/v1/users/${encodeURIComponent(userId)}/_${action}`, {});
      return String((json.details as { sequence?: unknown } | undefined)?.sequence ?? "");
    },
    close: async () => undefined,
  };
}

/**
 * Reads and writes the store directly, acting as SYSTEM in the user's own
 * organisation. Only for a stopped server: a running one caches stream heads
 * and token checks on the assumption that every write passes through it, so
 * a SQLite file a server holds is refused (PostgreSQL servers do not cache).
 */
async function localBackend(config: Config): Promise<Backend> {
  const store = await openConfiguredStore(config).catch((error: unknown) => {
    if (error instanceof StoreInUseError) throw new Error(`${error.message}; without --local, \`latchkey users\` goes through the running server`);
    throw error;
  });
  // Whoever can open the store is the operator: no caller to rank against the user.
  const commands = createUserCommands({
    users: createUserAggregate({ store, actingOn: operatorAccess }),
    newId: createIdGenerator(),
    passwords: createPasswordHasher({ costLog2: config.passwordHashCost }),
  });
  return {
    async list() {
      const rows = await store.query<{ id: string; username: string; state: string; resource_owner: string }>(
        "SELECT id, username, state, resource_owner FROM users1 ORDER BY creation_date, id",
      );
      return rows.map((row) => ({ id: String(row.id), userName: row.username, state: row.state, org: String(row.resource_owner) }));
    },
    async change(action, userId) {
      const [row] = await store.query<{ instance_id: string; resource_owner: string }>("SELECT instance_id, resource_owner FROM users1 WHERE id = ?", [userId]);
      if (!row) throw new Error(`no user with id ${userId}`);
      const actor = { instanceId: String(row.instance_id), orgId: String(row.resource_owner), userId: "SYSTEM" };
      try {
        const details = action === "lock" ? await commands.lockUser(actor, userId) : await commands.unlockUser(actor, userId);
        return String(details.sequence);
      } catch (error) {
        if (error instanceof ZError) throw new Error(statusMessage(error.entry));
        throw error;
      }
    },
    close: () => store.close(),
  };
}

function table(users: readonly UserRow[]): string {
  const rows = [["ID", "USERNAME", "STATE", "ORGANISATION"], ...users.map((u) => [u.id, u.userName, u.state, u.org])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}
