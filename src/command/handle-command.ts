import { Errors, ZError, isZError } from "../errors.js";
import type { EventStore, RecordedEvent, StreamId, UniqueClaim } from "../eventstore/event-store.js";

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
  readonly guard?: (state: State, owner: string | undefined) => void;
  /** Uniqueness claims for the decided events. */
  readonly claims?: (events: readonly Event[], before: State) => UniqueClaim[];
  readonly maxRetries?: number;
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
  const maxRetries = options.maxRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    const loaded = await store.load(stream, decider.snapshotRevision);
    let state = (loaded.info?.snapshot?.state as State | undefined) ?? decider.initialState;
    for (const event of loaded.events) state = decider.evolve(state, event as unknown as Event);
    options.guard?.(state, loaded.info?.owner);
    const events = decider.decide(command, state);
    const after = events.reduce(decider.evolve, state);
    const expectedSequence = loaded.info?.sequence ?? 0;
    try {
      const [recorded] = await store.append([
        {
          stream,
          owner: context.owner,
          expectedSequence,
          events: events.map((event) => ({ type: event.type, payload: event.payload, creator: context.creator })),
          uniqueClaims: options.claims?.(events, state),
          snapshot: { revision: decider.snapshotRevision, state: after },
        },
      ]);
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
    }
  }
}
