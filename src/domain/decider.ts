/** An aggregate's rules: what a command decides, and how events build its state. */
export interface Decider<State, Command, Event extends { type: string; payload: unknown }> {
  readonly aggregateType: string;
  /** Bump when State's shape changes: older snapshots are then rebuilt from events. */
  readonly snapshotRevision: number;
  readonly initialState: State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

/** The state from a snapshot (when its revision matches) plus the events after it. */
export function fold<State, Command, Event extends { type: string; payload: unknown }>(
  decider: Decider<State, Command, Event>,
  snapshot: unknown,
  events: readonly { readonly type: string; readonly payload: unknown }[],
): State {
  let state = (snapshot as State | undefined) ?? decider.initialState;
  for (const event of events) state = decider.evolve(state, event as unknown as Event);
  return state;
}
