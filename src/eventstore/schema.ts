/**
 * Versioned DDL for the event log tables. The statements are valid in SQLite
 * and PostgreSQL alike; `position` is the only column that differs.
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
        position ${dialect === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY"},
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
    ],
  },
];
