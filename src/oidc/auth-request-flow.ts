import { hashToken } from "../auth/tokens.js";
import type { AuthRequestAggregate } from "../command/oidc-aggregates.js";
import { serverActor } from "../command/oidc-aggregates.js";
import type { SessionAggregate } from "../command/session-commands.js";
import { system } from "../command/aggregate.js";
import { isPending, type AuthRequestState } from "../domain/auth-request/auth-request.js";
import type { AuthRequestAddedPayload } from "../domain/auth-request/events.js";
import { SESSION_AGGREGATE } from "../domain/session/events.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import { USERS_TABLE } from "../projection/user-projection.js";
import type { OidcClientQueries } from "../query/oidc-clients.js";
import type { AuthRequestView, AuthRequests, SessionProof } from "./auth-requests.js";
import { newOpaqueToken } from "./opaque-tokens.js";
import { redirectWith } from "./redirects.js";

export interface AuthRequestFlowOptions {
  readonly store: EventStore;
  readonly authRequests: AuthRequestAggregate;
  readonly sessions: SessionAggregate;
  readonly clients: OidcClientQueries;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  /** How long a request waits for its login (default 10 minutes). */
  readonly requestLifetimeMs?: number;
  /** How long a code may wait for its exchange (default 60 seconds). */
  readonly codeLifetimeMs?: number;
}

/** What the authorize endpoint asks for, once it checked the client and the parameters. */
export type NewAuthRequest = Omit<AuthRequestAddedPayload, "login_client" | "response_type" | "created_at" | "expires_at">;

/** Where the browser goes next, and the write's details (for OIDCService CreateCallback). */
export interface Callback {
  readonly redirectTo: string;
  readonly details: { readonly sequence: number; readonly changeDate: Date; readonly resourceOwner: string };
}

export interface AuthRequestFlow extends AuthRequests {
  /** Records a checked authorization request; returns its id. */
  create(instanceId: string, request: NewAuthRequest): Promise<string>;
  /** The request's state, whatever it is (undefined when unknown). */
  load(instanceId: string, authRequestId: string): Promise<AuthRequestState | undefined>;
  /** `linkSession`, with the details of the write. */
  callbackWithSession(instanceId: string, authRequestId: string, session: SessionProof): Promise<Callback>;
  /** `fail` with any OAuth error code (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6), with the details of the write. */
  callbackWithError(instanceId: string, authRequestId: string, error: string, description?: string): Promise<Callback>;
}

/** The login's proofs: a password check, and the session's user. */
const AMR_PASSWORD = "pwd";

/**
 * The authorization requests' life between the authorize endpoint, the
 * login and the token endpoint (`AuthRequests` for the login).
 *
 * `linkSession` accepts a session when its token is the current one, its
 * user was checked and is active, and its password was checked: after the
 * request was created with `prompt=login`, within `max_age` seconds when
 * the request set it. The code it issues is bound to the request (client,
 * redirect URI, code challenge) and lives `codeLifetimeMs`.
 */
export function createAuthRequestFlow(options: AuthRequestFlowOptions): AuthRequestFlow {
  const { store, authRequests, sessions, clients, clock, newId } = options;
  const requestLifetimeMs = options.requestLifetimeMs ?? 10 * 60_000;
  const codeLifetimeMs = options.codeLifetimeMs ?? 60_000;
  const now = () => clock();

  async function loadState(instanceId: string, id: string): Promise<AuthRequestState | undefined> {
    // Ids come from URLs: anything that cannot be one of ours is simply unknown.
    if (!/^V2_\d{1,30}$/.test(id)) return undefined;
    const { state } = await authRequests.load(instanceId, id);
    return state.status === "unspecified" ? undefined : state;
  }

  /** The session's user and when its password was last checked. */
  async function provenSession(instanceId: string, sessionId: string, sessionToken: string) {
    const { state } = await sessions.load(instanceId, sessionId);
    if (state.status === "unspecified") throw new ZError(Errors.AuthRequest.SessionNotExisting);
    if (!state.tokenHash || !sessionToken || hashToken(sessionToken) !== state.tokenHash) throw new ZError(Errors.Session.TokenInvalid);
    if (state.status !== "active") throw new ZError(Errors.Session.Terminated);
    if (!state.userId) throw new ZError(Errors.AuthRequest.UserNotChecked);
    const events = await store.readStream({ instanceId, aggregateType: SESSION_AGGREGATE, aggregateId: sessionId });
    const passwordChecks = events.filter((event) => event.type === "session.password.checked");
    const lastCheck = passwordChecks[passwordChecks.length - 1]?.payload as { checkedAt?: string } | undefined;
    return { userId: state.userId, passwordCheckedAt: lastCheck?.checkedAt };
  }

  async function requireActiveUser(instanceId: string, userId: string) {
    const rows = await store.query<{ state: string }>(`SELECT state FROM ${USERS_TABLE} WHERE instance_id = ? AND id = ?`, [instanceId, userId]);
    if (!rows[0]) throw new ZError(Errors.User.QueryNotFound);
    if (rows[0].state !== "active") throw new ZError(Errors.Session.UserNotActive);
  }

  const detailsOf = (result: { sequence: number; changeDate: Date; owner: string }) => ({
    sequence: result.sequence,
    changeDate: result.changeDate,
    resourceOwner: result.owner,
  });

  const flow: AuthRequestFlow = {
    async create(instanceId, request) {
      const id = `V2_${newId()}`;
      const created = now();
      await authRequests.execute(
        serverActor(instanceId),
        id,
        {
          type: "AddAuthRequest",
          request: {
            login_client: "",
            response_type: "code",
            ...request,
            created_at: created.toISOString(),
            expires_at: new Date(created.getTime() + requestLifetimeMs).toISOString(),
          },
        },
        system,
      );
      return id;
    },

    load: loadState,

    async find(instanceId, authRequestId): Promise<AuthRequestView | undefined> {
      const state = await loadState(instanceId, authRequestId);
      if (!state?.request || !isPending(state, now().toISOString())) return undefined;
      const request = state.request;
      const client = await clients.findByClientId(instanceId, request.client_id);
      return {
        id: authRequestId,
        clientId: request.client_id,
        appName: client?.name ?? request.client_id,
        scopes: request.scope,
        prompt: request.prompt ?? [],
        ...(request.login_hint ? { loginHint: request.login_hint } : {}),
      };
    },

    async linkSession(instanceId, authRequestId, proof) {
      return { redirectTo: (await flow.callbackWithSession(instanceId, authRequestId, proof)).redirectTo };
    },

    async fail(instanceId, authRequestId, error, description) {
      return { redirectTo: (await flow.callbackWithError(instanceId, authRequestId, error, description)).redirectTo };
    },

    async callbackWithSession(instanceId, authRequestId, proof) {
      const state = await loadState(instanceId, authRequestId);
      if (!state?.request) throw new ZError(Errors.AuthRequest.NotExisting);
      const request = state.request;
      const session = await provenSession(instanceId, proof.sessionId, proof.sessionToken);
      if (!session.passwordCheckedAt) throw new ZError(Errors.AuthRequest.PasswordCheckTooOld);
      const checkedAt = Date.parse(session.passwordCheckedAt);
      if (request.prompt?.includes("login") && checkedAt < Date.parse(request.created_at)) throw new ZError(Errors.AuthRequest.PasswordCheckTooOld);
      if (request.max_age !== undefined && checkedAt < now().getTime() - request.max_age / 1e6) throw new ZError(Errors.AuthRequest.PasswordCheckTooOld);
      await requireActiveUser(instanceId, session.userId);

      const code = newOpaqueToken(authRequestId);
      const at = now();
      const result = await authRequests.execute(
        serverActor(instanceId, session.userId),
        authRequestId,
        {
          type: "LinkSession",
          now: at.toISOString(),
          sessionId: proof.sessionId,
          userId: session.userId,
          authTime: session.passwordCheckedAt,
          amr: [AMR_PASSWORD],
          codeHash: code.hash,
          codeExpiresAt: new Date(at.getTime() + codeLifetimeMs).toISOString(),
        },
        system,
      );
      return { redirectTo: redirectWith(request.redirect_uri, { code: code.token, state: request.state }), details: detailsOf(result) };
    },

    async callbackWithError(instanceId, authRequestId, error, description) {
      const state = await loadState(instanceId, authRequestId);
      if (!state?.request) throw new ZError(Errors.AuthRequest.NotExisting);
      const result = await authRequests.execute(
        serverActor(instanceId),
        authRequestId,
        { type: "FailAuthRequest", now: now().toISOString(), reason: error },
        system,
      );
      return {
        redirectTo: redirectWith(state.request.redirect_uri, { error, error_description: description, state: state.request.state }),
        details: detailsOf(result),
      };
    },
  };
  return flow;
}
