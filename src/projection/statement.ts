/** Projections return statements instead of running SQL, so one projection serves every dialect. */

/** Booleans are stored as 0/1 and times as epoch milliseconds, the same in every dialect. */
export type Value = string | number | null;
export type Row = Readonly<Record<string, Value>>;

export type Statement =
  /** Insert, or overwrite the given columns when the key exists. */
  | { readonly kind: "upsert"; readonly table: string; readonly key: Row; readonly values: Row }
  /** Update the given columns of the rows matching the key; no row, no effect. */
  | { readonly kind: "update"; readonly table: string; readonly key: Row; readonly values: Row }
  | { readonly kind: "delete"; readonly table: string; readonly key: Row };

export interface RenderedStatement {
  readonly sql: string;
  readonly params: Value[];
}

/** Renders a statement with `?` placeholders (SQLite; PostgreSQL renumbers them). */
export function renderStatement(statement: Statement): RenderedStatement {
  const keyCols = Object.keys(statement.key);
  const keyParams = Object.values(statement.key);
  const where = keyCols.map((c) => `${c} = ?`).join(" AND ");
  switch (statement.kind) {
    case "upsert": {
      const cols = [...keyCols, ...Object.keys(statement.values)];
      const updates = Object.keys(statement.values).map((c) => `${c} = excluded.${c}`);
      const onConflict = updates.length ? `DO UPDATE SET ${updates.join(", ")}` : "DO NOTHING";
      return {
        sql: `INSERT INTO ${statement.table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ON CONFLICT (${keyCols.join(", ")}) ${onConflict}`,
        params: [...keyParams, ...Object.values(statement.values)],
      };
    }
    case "update": {
      const sets = Object.keys(statement.values).map((c) => `${c} = ?`);
      return {
        sql: `UPDATE ${statement.table} SET ${sets.join(", ")} WHERE ${where}`,
        params: [...Object.values(statement.values), ...keyParams],
      };
    }
    case "delete":
      return { sql: `DELETE FROM ${statement.table} WHERE ${where}`, params: keyParams };
  }
}
