import type { RecordedEvent } from "../eventstore/event-store.js";
import type { HumanAddedPayload, MachineAddedPayload } from "../domain/user/events.js";
import type { Projection } from "./projection.js";
import type { Statement } from "./statement.js";
import { bool, creationColumns, touch } from "./tables.js";

export const USERS_TABLE = "users1";

/** The users read model: one row per user, state as the query side reports it. */
export const userProjection: Projection = {
  name: "users",
  aggregates: ["user"],
  tables: [USERS_TABLE],
  schema: [
    `CREATE TABLE IF NOT EXISTS ${USERS_TABLE} (
      instance_id TEXT NOT NULL,
      id TEXT NOT NULL,
      resource_owner TEXT NOT NULL,
      state TEXT NOT NULL,
      user_type TEXT NOT NULL,
      username TEXT NOT NULL,
      first_name TEXT,
      last_name TEXT,
      nick_name TEXT,
      display_name TEXT,
      preferred_language TEXT,
      gender INTEGER,
      email TEXT,
      email_verified INTEGER,
      phone TEXT,
      phone_verified INTEGER,
      password_set INTEGER,
      password_changed BIGINT,
      machine_name TEXT,
      machine_description TEXT,
      access_token_type INTEGER,
      creation_date BIGINT NOT NULL,
      change_date BIGINT NOT NULL,
      sequence BIGINT NOT NULL,
      PRIMARY KEY (instance_id, id)
    )`,
  ],
  apply(event: RecordedEvent): Statement[] {
    if (event.aggregateType !== "user") return [];
    const key = { instance_id: event.instanceId, id: event.aggregateId };
    switch (event.type) {
      case "user.human.added":
        return [{ kind: "upsert", table: USERS_TABLE, key, values: humanRow(event, event.payload as HumanAddedPayload) }];
      case "user.machine.added":
        return [{ kind: "upsert", table: USERS_TABLE, key, values: machineRow(event, event.payload as MachineAddedPayload) }];
      case "user.human.email.verified":
        return [touch(USERS_TABLE, key, event, { email_verified: 1 })];
      case "user.human.phone.verified":
        return [touch(USERS_TABLE, key, event, { phone_verified: 1 })];
      case "user.human.initialization.code.added":
        return [touch(USERS_TABLE, key, event, { state: "initial" })];
      case "user.locked":
        return [touch(USERS_TABLE, key, event, { state: "locked" })];
      case "user.unlocked":
      case "user.reactivated":
        return [touch(USERS_TABLE, key, event, { state: "active" })];
      case "user.deactivated":
        return [touch(USERS_TABLE, key, event, { state: "inactive" })];
      case "user.removed":
        return [touch(USERS_TABLE, key, event, { state: "deleted" })];
      case "user.human.password.changed":
        return [touch(USERS_TABLE, key, event, { password_set: 1, password_changed: event.createdAt.getTime() })];
      default:
        return [touch(USERS_TABLE, key, event)];
    }
  },
};

function humanRow(event: RecordedEvent, p: HumanAddedPayload) {
  return {
    resource_owner: event.owner,
    state: "active",
    user_type: "human",
    username: p.userName,
    first_name: p.firstName,
    last_name: p.lastName,
    nick_name: p.nickName ?? "",
    display_name: p.displayName || `${p.firstName} ${p.lastName}`,
    preferred_language: p.preferredLanguage ?? "",
    gender: p.gender ?? 0,
    email: p.email,
    email_verified: 0,
    phone: p.phone ?? "",
    phone_verified: 0,
    password_set: bool(p.encodedHash !== undefined),
    password_changed: p.encodedHash !== undefined ? event.createdAt.getTime() : null,
    ...creationColumns(event),
  };
}

function machineRow(event: RecordedEvent, p: MachineAddedPayload) {
  return {
    resource_owner: event.owner,
    state: "active",
    user_type: "machine",
    username: p.userName,
    machine_name: p.name,
    machine_description: p.description ?? "",
    access_token_type: p.accessTokenType ?? 0,
    ...creationColumns(event),
  };
}
