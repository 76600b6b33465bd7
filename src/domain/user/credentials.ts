import { Errors, ZError } from "../../errors.js";
import { userExists, type UserState } from "./state.js";

/**
 * A machine user's credentials on the user aggregate: keys for the JWT
 * profile grant, personal access tokens and the client secret. Event types
 * and payload names are ZITADEL's.
 */

export interface MachineKeyAddedPayload {
  keyId: string;
  /** zitadel.authn.v1.KeyType (1 = JSON). */
  type: number;
  /** RFC 3339. */
  expirationDate: string;
  /** Base64 of the PEM-encoded (PKIX) RSA public key, as ZITADEL stores it. */
  publicKey: string;
}

export interface MachineKeyRemovedPayload {
  keyId: string;
}

export interface PatRemovedPayload {
  tokenId: string;
}

export interface MachineSecretSetPayload {
  /** Hash of the client secret; the secret itself is never stored. */
  hashedSecret: string;
}

export type CredentialEvent =
  | { type: "user.machine.key.added"; payload: MachineKeyAddedPayload }
  | { type: "user.machine.key.removed"; payload: MachineKeyRemovedPayload }
  | { type: "user.pat.removed"; payload: PatRemovedPayload }
  | { type: "user.machine.secret.set"; payload: MachineSecretSetPayload }
  | { type: "user.machine.secret.removed"; payload: null };

export type CredentialCommand =
  | { type: "AddMachineKey"; key: MachineKeyAddedPayload }
  | { type: "RemoveMachineKey"; keyId: string }
  | { type: "RemovePersonalAccessToken"; tokenId: string }
  | { type: "SetMachineSecret"; hashedSecret: string }
  | { type: "RemoveMachineSecret" };

/** Which credentials exist; their material lives in read models only. */
export interface CredentialState {
  readonly keyIds: readonly string[];
  readonly tokenIds: readonly string[];
  readonly hasSecret: boolean;
}

const none: CredentialState = { keyIds: [], tokenIds: [], hasSecret: false };

export function credentialsOf(state: UserState): CredentialState {
  return state.credentials ?? none;
}

const isMachine = (state: UserState) => userExists(state) && state.kind === "machine";

export function decideCredentials(command: CredentialCommand, state: UserState): CredentialEvent[] {
  const credentials = credentialsOf(state);
  switch (command.type) {
    case "AddMachineKey":
      if (!userExists(state)) throw new ZError(Errors.User.KeyUserNotFound);
      if (state.kind !== "machine") throw new ZError(Errors.User.WrongType);
      if (credentials.keyIds.includes(command.key.keyId)) throw new ZError(Errors.User.KeyAlreadyExists);
      return [{ type: "user.machine.key.added", payload: command.key }];
    case "RemoveMachineKey":
      if (!userExists(state) || !credentials.keyIds.includes(command.keyId)) throw new ZError(Errors.User.KeyNotFound);
      return [{ type: "user.machine.key.removed", payload: { keyId: command.keyId } }];
    case "RemovePersonalAccessToken":
      if (!userExists(state) || !credentials.tokenIds.includes(command.tokenId)) throw new ZError(Errors.User.PatNotFound);
      return [{ type: "user.pat.removed", payload: { tokenId: command.tokenId } }];
    case "SetMachineSecret":
      // ZITADEL reads a machine write model: a human user does not exist for it.
      if (!isMachine(state)) throw new ZError(Errors.User.SecretUserNotExisting);
      return [{ type: "user.machine.secret.set", payload: { hashedSecret: command.hashedSecret } }];
    case "RemoveMachineSecret":
      if (!isMachine(state)) throw new ZError(Errors.User.RemoveSecretUserNotExisting);
      if (!credentials.hasSecret) throw new ZError(Errors.User.SecretNotExisting);
      return [{ type: "user.machine.secret.removed", payload: null }];
  }
}

/** Folds credential events (and `user.pat.added`) into the state; any other event changes nothing. */
export function evolveCredentials(state: UserState, event: { type: string; payload: unknown }): UserState {
  const credentials = credentialsOf(state);
  const next = (change: Partial<CredentialState>): UserState => ({ ...state, credentials: { ...credentials, ...change } });
  switch (event.type) {
    case "user.machine.key.added":
      return next({ keyIds: [...credentials.keyIds, (event.payload as MachineKeyAddedPayload).keyId] });
    case "user.machine.key.removed": {
      const { keyId } = event.payload as MachineKeyRemovedPayload;
      return next({ keyIds: credentials.keyIds.filter((id) => id !== keyId) });
    }
    case "user.pat.added":
      return next({ tokenIds: [...credentials.tokenIds, (event.payload as { tokenId: string }).tokenId] });
    case "user.pat.removed": {
      const { tokenId } = event.payload as PatRemovedPayload;
      return next({ tokenIds: credentials.tokenIds.filter((id) => id !== tokenId) });
    }
    case "user.machine.secret.set":
      return next({ hasSecret: true });
    case "user.machine.secret.removed":
      return next({ hasSecret: false });
    default:
      return state;
  }
}
