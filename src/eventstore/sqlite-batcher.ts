import { Errors, ZError } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import type { AppendCommand, EventStoreObserver, RecordedEvent } from "./event-store.js";
import type { AppendFailure, AppendOutcome, CommittedAppend, WriterAppend } from "./sqlite-appender.js";
import { isStorageFailure, storageError } from "./sqlite-file.js";
import type { StreamCache } from "./sqlite-stream-cache.js";
import type { WriterLink } from "./sqlite-writer-link.js";

export interface BatcherDeps {
  readonly writer: WriterLink;
  readonly clock: Clock;
  readonly heads: StreamCache;
  /** Told about the events of every commit, after the commit. */
  readonly committed: (events: readonly RecordedEvent[]) => void;
  readonly onStorageFailure: (error: Error) => void;
  readonly observer?: EventStoreObserver;
}

interface PendingAppend {
  readonly commands: readonly AppendCommand[];
  readonly resolve: (events: RecordedEvent[][]) => void;
  readonly reject: (error: unknown) => void;
}

// Two batches in flight: the writer starts the next commit while this thread is still answering the previous one.
const MAX_IN_FLIGHT = 2;

/**
 * Group commit: every append that arrives while the writer is busy goes in
 * its next transaction. Each append resolves (or fails on its own) once that
 * transaction is on disk.
 */
export function createAppendBatcher(deps: BatcherDeps) {
  let pending: PendingAppend[] = [];
  let writing = 0;

  const flush = async () => {
    if (writing >= MAX_IN_FLIGHT || pending.length === 0) return;
    writing++;
    const batch = pending;
    pending = [];
    const started = performance.now();
    const now = deps.clock().getTime();
    try {
      const outcomes = (await deps.writer.request({
        kind: "append",
        id: 0,
        batch: batch.map((item) => item.commands.map(toWriterAppend)),
        now,
      })) as AppendOutcome[];
      const results = outcomes.map((outcome, index) => ("committed" in outcome ? recordedOf(batch[index]!.commands, outcome.committed, now) : undefined));
      const committed = results.flatMap((events) => (events ? events.flat() : []));
      if (committed.length) deps.committed(committed);
      deps.observer?.committed?.({ appends: batch.length, events: committed.length, seconds: (performance.now() - started) / 1000 });
      batch.forEach((item, index) => {
        const outcome = outcomes[index]!;
        if ("committed" in outcome) {
          outcome.committed.forEach((head, i) => deps.heads.committed(item.commands[i]!, head, now));
          item.resolve(results[index]!);
        } else {
          const error = toError(outcome.failure, item.commands);
          if (outcome.failure.kind === "error" && isStorageFailure(outcome.failure.code)) deps.onStorageFailure(error.cause as Error);
          item.reject(error);
        }
      });
    } catch (error) {
      batch.forEach((item) => item.reject(error));
    } finally {
      writing--;
      if (pending.length) void flush();
    }
  };

  return {
    append(commands: readonly AppendCommand[]): Promise<RecordedEvent[][]> {
      return new Promise((resolve, reject) => {
        pending.push({ commands, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    /** Resolves once nothing waits and nothing is being written. */
    async drain() {
      while (writing > 0 || pending.length) {
        void flush();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    },
  };
}

/** Snapshots travel as JSON text: cheaper to pass between threads than the object, and stored as text anyway. */
function toWriterAppend(command: AppendCommand): WriterAppend {
  const { snapshot, ...rest } = command;
  return snapshot ? { ...rest, snapshot: { revision: snapshot.revision, json: JSON.stringify(snapshot.state) } } : rest;
}

/** The caller's events as recorded, from what the writer reported of each append. */
function recordedOf(commands: readonly AppendCommand[], committed: readonly CommittedAppend[], now: number): RecordedEvent[][] {
  const createdAt = new Date(now);
  return commands.map((command, i) => {
    const { sequence, owner, positions } = committed[i]!;
    const first = sequence - command.events.length;
    return command.events.map((event, offset) => ({
      ...command.stream,
      sequence: first + offset + 1,
      type: event.type,
      payload: event.payload ?? null,
      creator: event.creator,
      owner,
      createdAt,
      position: positions[offset]!,
    }));
  });
}

/** Turns a writer's refusal into the error the caller expects (claims keep their own entry). */
function toError(failure: AppendFailure, commands: readonly AppendCommand[]): Error {
  switch (failure.kind) {
    case "conflict":
      return new ZError(Errors.ConcurrentModification);
    case "claim":
      return new ZError(commands[failure.command]!.uniqueClaims![failure.claim]!.error);
    case "error":
      return storageError(failure.message, failure.code);
  }
}
