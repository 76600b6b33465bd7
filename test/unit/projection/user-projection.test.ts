import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../../src/eventstore/event-store.js";
import { allProjections } from "../../../src/projection/all-projections.js";
import { createProjector } from "../../../src/projection/projection.js";
import { USERS_TABLE, userProjection } from "../../../src/projection/user-projection.js";

const at = new Date("2025-01-01T10:00:00.000Z");
const event = (sequence: number, type: string, payload: unknown = null, init: Partial<RecordedEvent> = {}): RecordedEvent => ({
  instanceId: "i",
  aggregateType: "user",
  aggregateId: "u",
  owner: "org1",
  sequence,
  type,
  payload,
  creator: "admin",
  createdAt: at,
  position: 40 + sequence,
  ...init,
});
const key = { instance_id: "i", id: "u" };
const changed = (sequence: number) => ({ change_date: at.getTime(), sequence });

describe("the user projection", () => {
  it("adds a human user with its profile, owner and creation columns", () => {
    const statements = userProjection.apply(
      event(1, "user.human.added", { userName: "ada", firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", encodedHash: "$2a$..." }),
    );
    expect(statements).toEqual([
      {
        kind: "upsert",
        table: USERS_TABLE,
        key,
        values: {
          resource_owner: "org1",
          state: "active",
          user_type: "human",
          username: "ada",
          first_name: "Ada",
          last_name: "Lovelace",
          nick_name: "",
          display_name: "Ada Lovelace",
          preferred_language: "",
          gender: 0,
          email: "ada@example.com",
          email_verified: 0,
          phone: "",
          phone_verified: 0,
          password_set: 1,
          password_changed: at.getTime(),
          creation_date: at.getTime(),
          ...changed(1),
        },
      },
    ]);
  });

  it("adds a machine user", () => {
    const [statement] = userProjection.apply(event(1, "user.machine.added", { userName: "bot", name: "Bot" }));
    expect(statement).toEqual({
      kind: "upsert",
      table: USERS_TABLE,
      key,
      values: {
        resource_owner: "org1",
        state: "active",
        user_type: "machine",
        username: "bot",
        machine_name: "Bot",
        machine_description: "",
        access_token_type: 0,
        creation_date: at.getTime(),
        ...changed(1),
      },
    });
  });

  it.each([
    ["user.locked", "locked"],
    ["user.unlocked", "active"],
    ["user.reactivated", "active"],
    ["user.deactivated", "inactive"],
    ["user.removed", "deleted"],
    ["user.human.initialization.code.added", "initial"],
  ])("%s sets the state to %s and moves sequence and change date", (type, state) => {
    expect(userProjection.apply(event(5, type))).toEqual([{ kind: "update", table: USERS_TABLE, key, values: { state, ...changed(5) } }]);
  });

  it("marks a password change and verified contacts", () => {
    expect(userProjection.apply(event(6, "user.human.password.changed"))).toEqual([
      { kind: "update", table: USERS_TABLE, key, values: { password_set: 1, password_changed: at.getTime(), ...changed(6) } },
    ]);
    expect(userProjection.apply(event(7, "user.human.email.verified"))).toEqual([
      { kind: "update", table: USERS_TABLE, key, values: { email_verified: 1, ...changed(7) } },
    ]);
  });

  it("moves only sequence and change date on any other event of the user", () => {
    expect(userProjection.apply(event(8, "user.pat.added", { tokenId: "t" }))).toEqual([{ kind: "update", table: USERS_TABLE, key, values: changed(8) }]);
  });

  it("ignores events of other aggregates", () => {
    expect(userProjection.apply(event(1, "user.locked", null, { aggregateType: "org" }))).toEqual([]);
  });
});

describe("the projector", () => {
  const project = createProjector(allProjections);

  it("hands an event to every projection that declares it, in order", () => {
    const locked = event(5, "user.locked");
    const expected = allProjections.flatMap((projection) => projection.apply(locked));
    expect(project(locked)).toEqual(expected);
    expect(new Set(project(locked).map((statement) => statement.table))).toEqual(new Set([USERS_TABLE, "user_sign_in1", "user_lock_ends1"]));
  });

  it("hands an event to no projection that does not declare it", () => {
    const seen: string[] = [];
    const orgs = { ...userProjection, name: "orgs-only", aggregates: ["org"], apply: (e: RecordedEvent) => (seen.push(e.type), []) };
    const project = createProjector([orgs]);
    project(event(5, "user.locked"));
    project(event(6, "org.changed", null, { aggregateType: "org" }));
    expect(seen).toEqual(["org.changed"]);
  });

  it("gives every event type the domain writes the statements of every projection's own check", () => {
    // The declarations only narrow what each projection's apply already filters.
    const sources = readdirSync(new URL("../../../src/domain", import.meta.url), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"));
    const types = new Set(sources.flatMap((text) => [...text.matchAll(/"([a-z_]+(?:\.[a-z_]+)+)"/g)].map((match) => match[1]!)));
    for (const projection of allProjections) projection.events?.forEach((type) => types.add(type));
    expect(types.size).toBeGreaterThan(40);
    const outcome = (run: () => unknown) => {
      try {
        return run();
      } catch (error) {
        return `throws ${(error as Error).name}`;
      }
    };
    for (const type of types) {
      const e = event(3, type, { keyId: "k", publicKey: "", expirationDate: "2030-01-01", userId: "m", roles: [] }, { aggregateType: type.split(".")[0]! });
      expect(
        outcome(() => project(e)),
        type,
      ).toEqual(outcome(() => allProjections.flatMap((projection) => projection.apply(e))));
    }
  });
});
