/**
 * Versioned DDL for the event log tables. The statements are valid in SQLite
 * and PostgreSQL alike, except `position` and PostgreSQL's `transaction_id`
 * (the writing transaction, so catch-up readers can respect its snapshot).
 */
export interface Migration {
  readonly version: number;
  readonly statements: (dialect: "sqlite" | "postgres") => readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    statements: (dialect) => [
      `CREATE TABLE events (
        position ${dialect === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY"},${
          dialect === "postgres"
            ? `
        transaction_id XID8 NOT NULL DEFAULT pg_current_xact_id(),`
            : ""
        }
        instance_id TEXT NOT NULL,
        aggregate_type TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        event_type TEXT NOT NULL,
        payload TEXT,
        creator TEXT NOT NULL,
        owner TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (instance_id, aggregate_type, aggregate_id, sequence)
      )`,
      `CREATE TABLE streams (
        instance_id TEXT NOT NULL,
        aggregate_type TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        sequence BIGINT NOT NULL,
        owner TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        changed_at BIGINT NOT NULL,
        snapshot_revision INTEGER,
        snapshot_sequence BIGINT,
        snapshot TEXT,
        PRIMARY KEY (instance_id, aggregate_type, aggregate_id)
      )`,
      `CREATE TABLE unique_constraints (
        instance_id TEXT NOT NULL,
        unique_type TEXT NOT NULL,
        unique_field TEXT NOT NULL,
        PRIMARY KEY (instance_id, unique_type, unique_field)
      )`,
      // Catch-up reading on PostgreSQL goes in (transaction, position) order.
      ...(dialect === "postgres"
        ? [
            `CREATE INDEX events_transaction_position ON events (transaction_id, position)`,
            // Runs an append's statements in one round trip (postgres-batch.ts). Values travel as one
            // jsonb parameter per statement; a statement with a check must return a row, or the
            // whole append is undone with that SQLSTATE (LK409: the stream moved on; LK410: a unique
            // claim is taken, the message names the statement).
            `CREATE FUNCTION latchkey_append(statements TEXT[], params JSONB[], checks TEXT[]) RETURNS JSONB[]
            LANGUAGE plpgsql AS $$
            DECLARE
              results JSONB[] := '{}';
              result JSONB;
            BEGIN
              FOR i IN 1 .. COALESCE(array_length(statements, 1), 0) LOOP
                IF checks[i] IS NULL THEN
                  EXECUTE statements[i] USING params[i];
                ELSE
                  result := NULL;
                  EXECUTE statements[i] INTO result USING params[i];
                  IF result IS NULL THEN
                    RAISE EXCEPTION 'append check failed at statement %', i USING ERRCODE = checks[i];
                  END IF;
                  results := results || result;
                END IF;
              END LOOP;
              RETURN results;
            END
            $$`,
          ]
        : []),
    ],
  },
];
