import { Errors, ZError } from "../../errors.js";
import type { SessionEvent, SessionUserAgent, TokenSetPayload } from "./events.js";

export interface SessionState {
  readonly status: "unspecified" | "active" | "terminated";
  readonly userId?: string;
  readonly userResourceOwner?: string;
  readonly tokenHash?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export const initialSessionState: SessionState = Object.freeze({ status: "unspecified", metadata: {} });

/**
 * One create or update of a session, after the user and password checks ran
 * (the password check itself is recorded on the user aggregate). Times and
 * the new token are made before `decide`.
 */
export interface ChangeSession {
  readonly type: "ChangeSession";
  /** Only when creating. */
  readonly start?: { readonly userAgent?: SessionUserAgent };
  readonly user?: { readonly userId: string; readonly resourceOwner: string };
  readonly passwordChecked?: boolean;
  /** Base64 values; an empty value removes the key. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly lifetimeNanos?: number;
  readonly checkedAt: string;
  readonly token: TokenSetPayload;
}

/** Ends a session (DeleteSession); ending one that is not active changes nothing. */
export interface TerminateSession {
  readonly type: "TerminateSession";
}

export type SessionCommand = ChangeSession | TerminateSession;

/** Which events a change produces; a change that changes nothing produces none (and no new token). */
export function decide(command: SessionCommand, state: SessionState): SessionEvent[] {
  if (command.type === "TerminateSession") return state.status === "active" ? [{ type: "session.terminated", payload: null }] : [];
  return decideChange(command, state);
}

function decideChange(command: ChangeSession, state: SessionState): SessionEvent[] {
  const events: SessionEvent[] = [];
  if (command.start) {
    events.push({ type: "session.added", payload: command.start.userAgent ? { userAgent: command.start.userAgent } : {} });
  } else if (state.status === "terminated") {
    throw new ZError(Errors.Session.Terminated);
  }
  let userId = state.userId;
  if (command.user) {
    if (userId && userId !== command.user.userId) throw new ZError(Errors.Session.UserChangeNotPossible);
    userId = command.user.userId;
    events.push({
      type: "session.user.checked",
      payload: { userID: command.user.userId, userResourceOwner: command.user.resourceOwner, checkedAt: command.checkedAt },
    });
  }
  if (command.passwordChecked) {
    if (!userId) throw new ZError(Errors.Session.UserIdMissing);
    events.push({ type: "session.password.checked", payload: { checkedAt: command.checkedAt } });
  }
  if (command.metadata) {
    const metadata = mergeMetadata(state.metadata, command.metadata);
    if (metadata) events.push({ type: "session.metadata.set", payload: { metadata } });
  }
  if (command.lifetimeNanos !== undefined) events.push({ type: "session.lifetime.set", payload: { lifetime: command.lifetimeNanos } });
  if (events.length > 0) events.push({ type: "session.token.set", payload: command.token });
  return events;
}

/** The merged metadata when it differs from the current one, else undefined. */
function mergeMetadata(current: Readonly<Record<string, string>>, change: Readonly<Record<string, string>>) {
  const next: Record<string, string> = { ...current };
  let changed = false;
  for (const [key, value] of Object.entries(change)) {
    if (value === "") {
      if (key in next) {
        delete next[key];
        changed = true;
      }
    } else if (next[key] !== value) {
      next[key] = value;
      changed = true;
    }
  }
  return changed ? next : undefined;
}

export function evolve(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case "session.added":
      return { ...state, status: "active" };
    case "session.user.checked":
      return { ...state, userId: event.payload.userID, userResourceOwner: event.payload.userResourceOwner };
    case "session.metadata.set":
      return { ...state, metadata: event.payload.metadata };
    case "session.token.set":
      return { ...state, tokenHash: event.payload.tokenHash };
    case "session.terminated":
      return { ...state, status: "terminated" };
    default:
      return state;
  }
}

/** Bump when SessionState's shape changes. */
export const SESSION_SNAPSHOT_REVISION = 1;
