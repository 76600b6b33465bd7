import type { RecordedEvent } from "../eventstore/event-store.js";
import type { Statement } from "./statement.js";

/**
 * A read model fed by events. `apply` is pure; the store runs its statements in
 * the transaction that appends the event. Table names carry a version: to
 * change a table, bump the version and rebuild.
 */
export interface Projection {
  readonly name: string;
  /** CREATE TABLE / INDEX statements, valid in SQLite and PostgreSQL. */
  readonly schema: readonly string[];
  readonly tables: readonly string[];
  apply(event: RecordedEvent): Statement[];
}
