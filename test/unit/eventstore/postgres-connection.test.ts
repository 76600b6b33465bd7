import { describe, expect, it } from "vitest";
import { Errors, ZError } from "../../../src/errors.js";
import { bindPlaceholders, numberPlaceholders, toStoreError } from "../../../src/eventstore/postgres-connection.js";

describe("placeholders", () => {
  it("numbers ? outside literals, quoted names and comments", () => {
    expect(numberPlaceholders(`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`)).toBe(`SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`);
    expect(numberPlaceholders(`SELECT '?', 'it''s ?', "we?ird" FROM t -- why?\nWHERE x = ? /* or ? */ AND y = ?`)).toBe(
      `SELECT '?', 'it''s ?', "we?ird" FROM t -- why?\nWHERE x = $1 /* or ? */ AND y = $2`,
    );
    expect(bindPlaceholders(`x = ? AND y = ?`, (index) => `<${index}>`)).toBe(`x = <0> AND y = <1>`);
  });
});

describe("driver errors", () => {
  const sqlError = (code: string) => Object.assign(new Error(`sql ${code}`), { code });

  it.each([
    ["57P01", "terminated by an administrator"],
    ["57014", "statement timeout"],
    ["08006", "connection failure"],
    ["53300", "too many connections"],
    ["3D000", "database missing"],
  ])("%s (%s) is UNAVAILABLE", (code) => {
    expect((toStoreError(sqlError(code)) as ZError).entry).toBe(Errors.Unavailable);
  });

  it.each(["Connection terminated unexpectedly", "timeout exceeded when trying to connect", "Client has encountered a connection error and is not queryable"])(
    "%s is UNAVAILABLE",
    (message) => {
      expect((toStoreError(new Error(message)) as ZError).entry).toBe(Errors.Unavailable);
    },
  );

  it("a refused connection is UNAVAILABLE", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect((toStoreError(refused) as ZError).entry).toBe(Errors.Unavailable);
    expect((toStoreError(new AggregateError([refused])) as ZError).entry).toBe(Errors.Unavailable);
  });

  it.each(["23505", "40001", "40P01", "LK409"])("%s is a concurrent modification", (code) => {
    expect((toStoreError(sqlError(code)) as ZError).entry).toBe(Errors.ConcurrentModification);
  });

  it("leaves programming errors as they are (they become INTERNAL and are logged)", () => {
    const syntax = sqlError("42601");
    expect(toStoreError(syntax)).toBe(syntax);
    const protocol = sqlError("08P01");
    expect(toStoreError(protocol)).toBe(protocol);
    const own = new ZError(Errors.User.NotLocked);
    expect(toStoreError(own)).toBe(own);
  });
});
