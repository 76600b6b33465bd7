import type { EventStore } from "../eventstore/event-store.js";
import type { Decider } from "./handle-command.js";

export interface LoadedAggregate<State> {
  readonly state: State;
  /** Undefined when the stream does not exist. */
  readonly owner?: string;
  readonly sequence: number;
}

/** The aggregate's current state (snapshot plus later events), for checks that must run before deciding. */
export async function loadAggregate<State, Command, Event extends { type: string; payload: unknown }>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  instanceId: string,
  aggregateId: string,
): Promise<LoadedAggregate<State>> {
  const loaded = await store.load({ instanceId, aggregateType: decider.aggregateType, aggregateId }, decider.snapshotRevision);
  let state = (loaded.info?.snapshot?.state as State | undefined) ?? decider.initialState;
  for (const event of loaded.events) state = decider.evolve(state, event as unknown as Event);
  return { state, owner: loaded.info?.owner, sequence: loaded.info?.sequence ?? 0 };
}
