import { Errors, ZError, isZError } from "../errors.js";
import type { AppendCommand, EventStore, RecordedEvent, StreamId, UniqueClaim } from "../eventstore/event-store.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import type { CallWrites } from "./call-writes.js";

export interface Decider<State, Command, Event extends { type: string; payload: unknown }> {
  readonly aggregateType: string;
  readonly snapshotRevision: number;
  readonly initialState: State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

export interface CommandContext {
  readonly instanceId: string;
  /** Organisation that owns a newly created aggregate. */
  readonly owner: string;
  /** Who causes the events. */
  readonly creator: string;
  /** The API call's writes, so that its deadline knows when the append committed. */
  readonly writes?: CallWrites;
}

export interface CommandResult<State> {
  readonly state: State;
  readonly events: readonly RecordedEvent[];
  /** The aggregate's sequence after the append. */
  readonly sequence: number;
  readonly owner: string;
  readonly creationDate: Date;
  readonly changeDate: Date;
}

export interface HandleCommandOptions<State, Event> {
  /** Extra checks on the loaded state before deciding (e.g. the caller's organisation). */
  readonly guard?: (state: State, owner: string | undefined) => Promise<void> | void;
  /** Uniqueness claims for the decided events. */
  readonly claims?: (events: readonly Event[], before: State) => UniqueClaim[];
  /**
   * Checks that may only run once the state checks passed (v2 permission
   * checks); runs after `decide`, before the append, on every attempt.
   */
  readonly afterDecide?: (state: State, owner: string | undefined) => Promise<void> | void;
  /** Conflicts tolerated before giving up with ABORTED. Default 5. */
  readonly maxRetries?: number;
  /** Serialises commands on the same stream within this process (fewer conflicts). */
  readonly queue?: KeyedQueue;
  /** False when another decider owns the stream's snapshot (default true). */
  readonly snapshot?: boolean;
  /** Appends to other streams in the same transaction (e.g. cascades); recomputed on every attempt. */
  readonly alsoAppend?: (events: readonly Event[], before: State) => Promise<AppendCommand[]>;
}

/**
 * Loads an aggregate (snapshot plus the events after it: O(1) in its history),
 * decides, and appends with the expected sequence. On a concurrent change it
 * loads again and decides again, so racing commands behave as if run one after
 * another.
 */
export async function handleCommand<State, Command, Event extends { type: string; payload: unknown }>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  aggregateId: string,
  command: Command,
  context: CommandContext,
  options: HandleCommandOptions<State, Event> = {},
): Promise<CommandResult<State>> {
  const stream: StreamId = { instanceId: context.instanceId, aggregateType: decider.aggregateType, aggregateId };
  const run = () => decideAndAppend(store, decider, stream, command, context, options);
  if (!options.queue) return run();
  return options.queue(`${stream.instanceId}\u0000${stream.aggregateType}\u0000${stream.aggregateId}`, run);
}

async function decideAndAppend<State, Command, Event extends { type: string; payload: unknown }>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  stream: StreamId,
  command: Command,
  context: CommandContext,
  options: HandleCommandOptions<State, Event>,
): Promise<CommandResult<State>> {
  const maxRetries = options.maxRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    const loaded = await store.load(stream, decider.snapshotRevision);
    let state = (loaded.info?.snapshot?.state as State | undefined) ?? decider.initialState;
    for (const event of loaded.events) state = decider.evolve(state, event as unknown as Event);
    await options.guard?.(state, loaded.info?.owner);
    const events = decider.decide(command, state);
    await options.afterDecide?.(state, loaded.info?.owner);
    const after = events.reduce(decider.evolve, state);
    const expectedSequence = loaded.info?.sequence ?? 0;
    if (events.length === 0) {
      // Nothing changes: nothing to append.
      const at = loaded.info?.changedAt ?? new Date(0);
      return {
        state,
        events: [],
        sequence: expectedSequence,
        owner: loaded.info?.owner ?? context.owner,
        creationDate: loaded.info?.createdAt ?? at,
        changeDate: at,
      };
    }
    const others = (await options.alsoAppend?.(events, state)) ?? [];
    try {
      const appends: AppendCommand[] = [
        {
          stream,
          owner: context.owner,
          expectedSequence,
          events: events.map((event) => ({ type: event.type, payload: event.payload, creator: context.creator })),
          uniqueClaims: options.claims?.(events, state),
          snapshot: options.snapshot === false ? undefined : { revision: decider.snapshotRevision, state: after },
        },
        ...others,
      ];
      const [recorded] = context.writes ? await context.writes.append(() => store.append(appends)) : await store.append(appends);
      const last = recorded![recorded!.length - 1];
      return {
        state: after,
        events: recorded!,
        sequence: last?.sequence ?? expectedSequence,
        owner: last?.owner ?? loaded.info?.owner ?? context.owner,
        creationDate: loaded.info?.createdAt ?? last?.createdAt ?? new Date(0),
        changeDate: last?.createdAt ?? loaded.info?.changedAt ?? new Date(0),
      };
    } catch (error) {
      if (!isZError(error, Errors.ConcurrentModification)) throw error;
      if (attempt >= maxRetries) throw new ZError(Errors.ConcurrentModification, { cause: error });
      // Spread the racers out so the next round does not collide again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 20)));
    }
  }
}
