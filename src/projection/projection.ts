import type { RecordedEvent } from "../eventstore/event-store.js";
import type { Statement } from "./statement.js";

/**
 * A read model fed by events. `apply` is pure; the store runs its statements in
 * the transaction that appends the event. Table names carry a version: to
 * change a table, bump the version and rebuild.
 */
export interface Projection {
  readonly name: string;
  /** The event types it handles. */
  readonly events?: readonly string[];
  /** Aggregate types all of whose events it handles. The store hands it no other event. */
  readonly aggregates?: readonly string[];
  /** CREATE TABLE / INDEX statements, valid in SQLite and PostgreSQL. */
  readonly schema: readonly string[];
  readonly tables: readonly string[];
  apply(event: RecordedEvent): Statement[];
}

/**
 * The one apply loop of every store: the statements the given projections
 * make of an event, in projection order. Only the projections that declare
 * the event's type see it.
 */
export function createProjector(projections: readonly Projection[]): (event: RecordedEvent) => Statement[] {
  // Which projections see an event depends on its aggregate type and event type only.
  const handlers = new Map<string, readonly Projection[]>();
  const handlersOf = (event: RecordedEvent) => {
    const key = `${event.aggregateType}\u0000${event.type}`;
    let found = handlers.get(key);
    if (!found) {
      found = projections.filter((p) => p.events?.includes(event.type) || p.aggregates?.includes(event.aggregateType));
      handlers.set(key, found);
    }
    return found;
  };
  return (event) => {
    const found = handlersOf(event);
    if (found.length === 0) return [];
    return found.length === 1 ? found[0]!.apply(event) : found.flatMap((projection) => projection.apply(event));
  };
}

/** Where a thread finds projections by name: a module exporting them as `projections`. */
export interface ProjectionSource {
  /** URL of the module. */
  readonly module: string;
  readonly names: readonly string[];
}

/** Resolves a source's names against the projections its module exports. */
export async function loadProjections(source: ProjectionSource): Promise<Projection[]> {
  const { projections } = (await import(source.module)) as { projections?: readonly Projection[] };
  if (!projections) throw new Error(`${source.module} exports no projections`);
  return source.names.map((name) => {
    const projection = projections.find((candidate) => candidate.name === name);
    if (!projection) throw new Error(`${source.module} exports no projection ${name}`);
    return projection;
  });
}
