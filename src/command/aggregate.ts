import type { ActingOnCheck } from "../auth/acting-on-check.js";
import type { PermissionCheck } from "../auth/permission-check.js";
import { Errors, ZError, isZError, type ErrorEntry } from "../errors.js";
import type { AppendCommand, EventStore, RecordedEvent, StreamId, UniqueClaim } from "../eventstore/event-store.js";
import type { KeyedQueue } from "../lib/keyed-queue.js";
import type { Actor } from "./actor.js";
import { fold, type Decider } from "../domain/decider.js";

type AnyEvent = { type: string; payload: unknown };

/**
 * Who may run a command on an aggregate, declared per call:
 * - `organisation`: v1 style, the aggregate must belong to the caller's
 *   organisation; one of another organisation does not exist for the caller
 *   (`notFound`). A stream that does not exist yet is left to `decide`
 *   unless `missing` is "notFound". Checked before deciding.
 * - `permission`: v2 "authenticated" style, `permission` on the aggregate's
 *   own organisation (or the caller acting on itself). Checked after the
 *   state checks in `decide`, so that errors about the state come first.
 * - `system`: no check here (the edge checked it, or nobody calls).
 * On aggregates built with `actingOn`, "who may act on whom" follows the
 * organisation or permission check.
 */
export type Access =
  | { readonly kind: "organisation"; readonly notFound: ErrorEntry; readonly missing?: "decide" | "notFound" }
  | { readonly kind: "permission"; readonly permission: string }
  | { readonly kind: "system" };

export const system: Access = { kind: "system" };

export function inCallerOrganisation(notFound: ErrorEntry, missing: "decide" | "notFound" = "decide"): Access {
  return { kind: "organisation", notFound, missing };
}

export function withPermission(permission: string): Access {
  return { kind: "permission", permission };
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

export interface LoadedAggregate<State> {
  readonly state: State;
  /** Undefined when the stream does not exist. */
  readonly owner?: string;
  readonly sequence: number;
}

export interface ExecuteOptions<State> {
  /** A further check on the loaded state, before deciding (e.g. a session's current token). */
  readonly check?: (state: State) => void;
  /** Conflicts tolerated before giving up with ABORTED; overrides the aggregate's. */
  readonly maxRetries?: number;
}

export interface Aggregate<State, Command> {
  /**
   * Loads the aggregate (snapshot plus the events after it), checks `access`,
   * decides and appends with the expected sequence; on a concurrent change it
   * loads and decides again, so racing commands behave as if run one after
   * another. Commands on one stream wait in the aggregate's queue.
   */
  execute(actor: Actor, id: string, command: Command, access: Access, options?: ExecuteOptions<State>): Promise<CommandResult<State>>;
  /** The current state, for checks that must run before a command is built. */
  load(instanceId: string, id: string): Promise<LoadedAggregate<State>>;
}

export interface AggregateDependencies<State, Event> {
  readonly store: EventStore;
  /** Serialises commands on the same stream within this process (fewer conflicts). */
  readonly queue?: KeyedQueue;
  /** Uniqueness claims for the decided events; `owner` is the stream's organisation, `id` its aggregate id. */
  readonly claims?: (events: readonly Event[], before: State, owner: string, id: string) => UniqueClaim[];
  /** Needed by `permission` access. */
  readonly permissions?: PermissionCheck;
  /** "Who may act on whom", for aggregates that are users. */
  readonly actingOn?: ActingOnCheck;
  /** Appends to other streams in the same transaction (e.g. cascades); recomputed on every attempt. */
  readonly alsoAppend?: (actor: Actor, id: string, events: readonly Event[], before: State) => Promise<AppendCommand[]>;
  /** Organisation that owns a new stream; the caller's by default. */
  readonly ownerOf?: (actor: Actor, id: string) => string;
  /** False when another decider owns the stream's snapshot (default true). */
  readonly snapshot?: boolean;
  /** Conflicts tolerated before giving up with ABORTED. Default 5. */
  readonly maxRetries?: number;
}

export function createAggregate<State, Command, Event extends AnyEvent>(
  decider: Decider<State, Command, Event>,
  deps: AggregateDependencies<State, Event>,
): Aggregate<State, Command> {
  const { store, queue } = deps;
  const streamOf = (instanceId: string, id: string): StreamId => ({ instanceId, aggregateType: decider.aggregateType, aggregateId: id });

  async function before(actor: Actor, id: string, access: Access, owner: string | undefined): Promise<void> {
    if (access.kind !== "organisation") return;
    if (owner === undefined && access.missing !== "notFound") return;
    if (owner !== actor.orgId) throw new ZError(access.notFound);
    await deps.actingOn?.requireMayActOn(actor, id);
  }

  async function after(actor: Actor, id: string, access: Access, owner: string | undefined): Promise<void> {
    if (access.kind !== "permission") return;
    // The permission first, so that only a caller who may see the aggregate learns that it is outranked.
    if (actor.userId !== id && !(owner !== undefined && (await deps.permissions?.has(actor, access.permission, owner)))) {
      throw new ZError(Errors.UserV2.PermissionDenied);
    }
    await deps.actingOn?.requireMayActOn(actor, id);
  }

  async function attempt(actor: Actor, stream: StreamId, command: Command, access: Access, options: ExecuteOptions<State>): Promise<CommandResult<State>> {
    const maxRetries = options.maxRetries ?? deps.maxRetries ?? 5;
    const newOwner = deps.ownerOf?.(actor, stream.aggregateId) ?? actor.orgId;
    for (let round = 0; ; round++) {
      const loaded = await store.load(stream, decider.snapshotRevision);
      const state = fold(decider, loaded.info?.snapshot?.state, loaded.events);
      const owner = loaded.info?.owner;
      await before(actor, stream.aggregateId, access, owner);
      options.check?.(state);
      const events = decider.decide(command, state);
      await after(actor, stream.aggregateId, access, owner);
      const expectedSequence = loaded.info?.sequence ?? 0;
      if (events.length === 0) {
        // Nothing changes: nothing to append.
        const at = loaded.info?.changedAt ?? new Date(0);
        return { state, events: [], sequence: expectedSequence, owner: owner ?? newOwner, creationDate: loaded.info?.createdAt ?? at, changeDate: at };
      }
      const next = events.reduce(decider.evolve, state);
      const others = (await deps.alsoAppend?.(actor, stream.aggregateId, events, state)) ?? [];
      try {
        const appends: AppendCommand[] = [
          {
            stream,
            owner: newOwner,
            expectedSequence,
            events: events.map((event) => ({ type: event.type, payload: event.payload, creator: actor.userId })),
            uniqueClaims: deps.claims?.(events, state, owner ?? newOwner, stream.aggregateId),
            snapshot: deps.snapshot === false ? undefined : { revision: decider.snapshotRevision, state: next },
          },
          ...others,
        ];
        const [recorded = []] = actor.writes ? await actor.writes.append(() => store.append(appends)) : await store.append(appends);
        const last = recorded[recorded.length - 1];
        return {
          state: next,
          events: recorded,
          sequence: last?.sequence ?? expectedSequence,
          owner: last?.owner ?? owner ?? newOwner,
          creationDate: loaded.info?.createdAt ?? last?.createdAt ?? new Date(0),
          changeDate: last?.createdAt ?? loaded.info?.changedAt ?? new Date(0),
        };
      } catch (error) {
        if (!isZError(error, Errors.ConcurrentModification)) throw error;
        if (round >= maxRetries) throw new ZError(Errors.ConcurrentModification, { cause: error });
        // Spread the racers out so the next round does not collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** round, 20)));
      }
    }
  }

  return {
    execute(actor, id, command, access, options = {}) {
      const stream = streamOf(actor.instanceId, id);
      const run = () => attempt(actor, stream, command, access, options);
      if (!queue) return run();
      return queue(`${stream.instanceId}\u0000${stream.aggregateType}\u0000${stream.aggregateId}`, run);
    },
    async load(instanceId, id) {
      const loaded = await store.load(streamOf(instanceId, id), decider.snapshotRevision);
      return { state: fold(decider, loaded.info?.snapshot?.state, loaded.events), owner: loaded.info?.owner, sequence: loaded.info?.sequence ?? 0 };
    },
  };
}
