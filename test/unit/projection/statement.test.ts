import { describe, expect, it } from "vitest";
import { buildStatementBatch } from "../../../src/eventstore/postgres-batch.js";
import { numberPlaceholders } from "../../../src/eventstore/postgres-connection.js";
import { renderStatement, type Statement } from "../../../src/projection/statement.js";

const upsert: Statement = { kind: "upsert", table: "users1", key: { instance_id: "i", id: "u" }, values: { state: "locked", sequence: 3 } };
const update: Statement = { kind: "update", table: "users1", key: { instance_id: "i", id: "u" }, values: { state: "active", password_changed: null } };
const remove: Statement = { kind: "delete", table: "members1", key: { instance_id: "i", user_id: "u" } };

describe("statement rendering, SQLite (? placeholders)", () => {
  it("renders an upsert that overwrites the given columns on a key conflict", () => {
    expect(renderStatement(upsert)).toEqual({
      sql: "INSERT INTO users1 (instance_id, id, state, sequence) VALUES (?, ?, ?, ?) ON CONFLICT (instance_id, id) DO UPDATE SET state = excluded.state, sequence = excluded.sequence",
      params: ["i", "u", "locked", 3],
    });
  });

  it("renders an upsert without values as an insert that keeps an existing row", () => {
    expect(renderStatement({ kind: "upsert", table: "t1", key: { a: 1 }, values: {} })).toEqual({
      sql: "INSERT INTO t1 (a) VALUES (?) ON CONFLICT (a) DO NOTHING",
      params: [1],
    });
  });

  it("renders an update with the values first and the key after, nulls as parameters", () => {
    expect(renderStatement(update)).toEqual({
      sql: "UPDATE users1 SET state = ?, password_changed = ? WHERE instance_id = ? AND id = ?",
      params: ["active", null, "i", "u"],
    });
  });

  it("renders a delete by key", () => {
    expect(renderStatement(remove)).toEqual({ sql: "DELETE FROM members1 WHERE instance_id = ? AND user_id = ?", params: ["i", "u"] });
  });
});

describe("statement rendering, PostgreSQL", () => {
  it("numbers the placeholders of a query", () => {
    expect(numberPlaceholders(renderStatement(update).sql)).toBe("UPDATE users1 SET state = $1, password_changed = $2 WHERE instance_id = $3 AND id = $4");
  });

  it("binds projection statements to one jsonb parameter each: text as text, integers as bigint, null inline", () => {
    const batch = buildStatementBatch([upsert, update, remove]);
    expect(batch.statements).toEqual([
      "INSERT INTO users1 (instance_id, id, state, sequence) VALUES (($1->>0), ($1->>1), ($1->>2), ($1->>3)::bigint) ON CONFLICT (instance_id, id) DO UPDATE SET state = excluded.state, sequence = excluded.sequence",
      "UPDATE users1 SET state = ($1->>0), password_changed = NULL WHERE instance_id = ($1->>1) AND id = ($1->>2)",
      "DELETE FROM members1 WHERE instance_id = ($1->>0) AND user_id = ($1->>1)",
    ]);
    expect(batch.params.map((param) => JSON.parse(param))).toEqual([
      ["i", "u", "locked", 3],
      ["active", "i", "u"],
      ["i", "u"],
    ]);
    // Read-model statements check nothing: a failing one fails the append as it is.
    expect(batch.checks).toEqual([null, null, null]);
    expect(batch.claims.size).toBe(0);
  });

  it("keeps fractions and numbers beyond 2^53 exact as numeric", () => {
    const batch = buildStatementBatch([{ kind: "update", table: "t1", key: { id: "x" }, values: { ratio: 0.5, big: 2 ** 60 } }]);
    expect(batch.statements[0]).toBe("UPDATE t1 SET ratio = ($1->>0)::numeric, big = ($1->>1)::numeric WHERE id = ($1->>2)");
  });

  it("leaves question marks inside values alone: values never enter the SQL text", () => {
    const batch = buildStatementBatch([{ kind: "update", table: "t1", key: { id: "x" }, values: { note: "why? ($1->>0)'" } }]);
    expect(batch.statements[0]).toBe("UPDATE t1 SET note = ($1->>0) WHERE id = ($1->>1)");
    expect(JSON.parse(batch.params[0]!)).toEqual(["why? ($1->>0)'", "x"]);
  });
});
