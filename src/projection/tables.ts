import type { RecordedEvent } from "../eventstore/event-store.js";
import type { Row, Statement } from "./statement.js";

/** Sequence and change date every row of an aggregate's read model tracks. */
export function changeColumns(event: RecordedEvent): Row {
  return { change_date: event.createdAt.getTime(), sequence: event.sequence };
}

export function creationColumns(event: RecordedEvent): Row {
  return { creation_date: event.createdAt.getTime(), ...changeColumns(event) };
}

export const bool = (value: boolean | undefined): number => (value ? 1 : 0);

export function touch(table: string, key: Row, event: RecordedEvent, values: Row = {}): Statement {
  return { kind: "update", table, key, values: { ...values, ...changeColumns(event) } };
}
