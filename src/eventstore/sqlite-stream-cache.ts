import { LRUCache } from "lru-cache";
import type { AppendCommand, StreamId, StreamInfo } from "./event-store.js";
import type { CommittedAppend } from "./sqlite-appender.js";

/**
 * The heads of recently written streams. Every write passes through this
 * process (one process per file), so a cached head is exact; it spares the
 * reads of a load.
 */
export function createStreamCache(max: number) {
  const heads = new LRUCache<string, StreamInfo>({ max });
  return {
    get: (stream: StreamId): StreamInfo | undefined => heads.get(streamKey(stream)),
    /** Records a stream's head after a committed append. */
    committed(command: AppendCommand, committed: CommittedAppend, now: number) {
      heads.set(streamKey(command.stream), {
        sequence: committed.sequence,
        owner: committed.owner,
        createdAt: new Date(committed.streamCreatedAt),
        changedAt: new Date(now),
        snapshot: command.snapshot,
      });
    },
  };
}

export type StreamCache = ReturnType<typeof createStreamCache>;

const streamKey = (stream: StreamId) => `${stream.instanceId}\u0000${stream.aggregateType}\u0000${stream.aggregateId}`;
