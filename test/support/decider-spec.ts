import { expect } from "vitest";
import { ZError, type ErrorEntry } from "../../src/errors.js";

import type { Decider } from "../../src/domain/decider.js";

/** given(events).when(command).then(events) | thenThrows(catalogue entry) */
export function deciderSpec<State, Command, Event extends { type: string; payload: unknown }>(
  decider: Pick<Decider<State, Command, Event>, "initialState" | "decide" | "evolve">,
) {
  return {
    given(events: Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState);
      return {
        when(command: Command) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: Event[]) {
              expect(run()).toEqual(expected);
            },
            thenThrows(entry: ErrorEntry) {
              let thrown: unknown;
              try {
                run();
              } catch (error) {
                thrown = error;
              }
              expect(thrown, "expected the command to be rejected").toBeInstanceOf(ZError);
              expect((thrown as ZError).entry.id).toBe(entry.id);
              expect((thrown as ZError).entry).toBe(entry);
            },
          };
        },
      };
    },
  };
}
