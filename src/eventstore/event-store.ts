import type { ErrorEntry } from "../errors.js";

/**
 * The storage port. Everything above it (commands, queries, auth) works the
 * same whichever implementation runs.
 */

export interface StreamId {
  readonly instanceId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
}

export interface EventToAppend {
  readonly type: string;
  /** JSON-serialisable; null for events without data. */
  readonly payload: unknown;
  /** The user id of whoever caused the event (or "SYSTEM"). */
  readonly creator: string;
}

export interface RecordedEvent extends StreamId {
  readonly sequence: number;
  readonly type: string;
  readonly payload: unknown;
  readonly creator: string;
  /** Resource owner: the organisation (or instance) the aggregate belongs to. */
  readonly owner: string;
  readonly createdAt: Date;
  /** Global order across all streams. */
  readonly position: number;
}

/** A uniqueness claim written in the same transaction as its events. */
export interface UniqueClaim {
  readonly action: "add" | "remove";
  readonly type: string;
  readonly field: string;
  /** Error raised when an "add" finds the field taken. */
  readonly error: ErrorEntry;
}

export interface Snapshot {
  readonly revision: number;
  readonly state: unknown;
}

export interface AppendCommand {
  readonly stream: StreamId;
  /** Resource owner for a new stream; an existing stream keeps its own. */
  readonly owner: string;
  /** The stream's current sequence as the caller saw it; 0 for a new stream. */
  readonly expectedSequence: number;
  readonly events: readonly EventToAppend[];
  readonly uniqueClaims?: readonly UniqueClaim[];
  /** The aggregate state after these events, so the next load is O(1). */
  readonly snapshot?: Snapshot;
}

/** What a stream looks like now, without its events. */
export interface StreamInfo {
  readonly sequence: number;
  readonly owner: string;
  readonly createdAt: Date;
  readonly changedAt: Date;
  readonly snapshot?: Snapshot;
}

export interface LoadedStream {
  readonly info?: StreamInfo;
  /** Events after the snapshot (all events when there is none). */
  readonly events: readonly RecordedEvent[];
}

export interface EventStore {
  readonly dialect: "sqlite" | "postgres";
  /**
   * Appends to one or more streams in one transaction. Throws
   * `Errors.ConcurrentModification` when a stream's sequence is not the
   * expected one, and a claim's error when a unique field is taken. Resolves
   * only once the transaction is durable.
   */
  append(commands: readonly AppendCommand[]): Promise<RecordedEvent[][]>;
  /** The stream's info and the events after its snapshot. */
  load(stream: StreamId, snapshotRevision?: number): Promise<LoadedStream>;
  /** Events of one stream after a sequence, in order. */
  readStream(stream: StreamId, afterSequence?: number): Promise<RecordedEvent[]>;
  /** Events of all streams after a global position, in order. */
  readAll(afterPosition: number, limit: number): Promise<RecordedEvent[]>;
  /** Read-model queries in portable SQL with `?` placeholders. */
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Calls `listener` after each commit of this process with the events it
   * wrote, so in-process caches can drop what those events change.
   * Returns a function that removes the listener.
   */
  onAppended(listener: (events: readonly RecordedEvent[]) => void): () => void;
  /** Drops and refills every projection from the event log. */
  rebuildProjections(): Promise<void>;
  /** Resolves when the store answers (readiness probes); rejects when it is unreachable or closed, with StoreNotWritableError when writes fail. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Optional measurements a store reports (metrics). Every implementation
 * calls `committed` once per durable transaction of appends.
 */
export interface EventStoreObserver {
  /** `appends` append calls (group commit batch size) with `events` events, committed in `seconds`. */
  committed?(batch: { readonly appends: number; readonly events: number; readonly seconds: number }): void;
}

/** A store that answers reads but whose writes fail (read-only file, full disk, I/O errors): `ping` rejects with it. */
export class StoreNotWritableError extends Error {
  override name = "StoreNotWritableError";
}
