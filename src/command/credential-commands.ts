import { randomBytes } from "node:crypto";
import { generateMachineKeyPair, KEY_TYPE_JSON, machineKeyFile, NO_EXPIRATION, parsePublicKeyPem, rfc3339 } from "../auth/machine-keys.js";
import { hashToken, newPersonalAccessToken } from "../auth/tokens.js";
import type { UserCommand } from "../domain/user/commands.js";
import { Errors, ZError, type ErrorEntry } from "../errors.js";
import type { Clock } from "../lib/clock.js";
import type { IdGenerator } from "../lib/ids.js";
import { toDetails, type Actor, type Details } from "./actor.js";
import { inCallerOrganisation } from "./aggregate.js";
import type { UserAggregate } from "./user-aggregate.js";

export interface AddMachineKeyInput {
  readonly userId: string;
  readonly type: number;
  readonly expirationDate?: Date;
  /** A PEM public key the caller keeps the private half of; without it a key pair is generated. */
  readonly publicKey?: Uint8Array;
}

export interface CredentialCommands {
  /** `keyDetails` is the key file (JSON) when the key pair was generated here. */
  addMachineKey(actor: Actor, input: AddMachineKeyInput): Promise<{ keyId: string; keyDetails?: string; details: Details }>;
  removeMachineKey(actor: Actor, userId: string, keyId: string): Promise<Details>;
  addPersonalAccessToken(actor: Actor, userId: string, expirationDate?: Date): Promise<{ tokenId: string; token: string; details: Details }>;
  removePersonalAccessToken(actor: Actor, userId: string, tokenId: string): Promise<Details>;
  /** The client id is the user name; the secret is shown only in this answer. */
  generateMachineSecret(actor: Actor, userId: string): Promise<{ clientId: string; clientSecret: string; details: Details }>;
  removeMachineSecret(actor: Actor, userId: string): Promise<Details>;
}

/** Keys, personal access tokens and client secrets of machine users (v1 semantics). */
export function createCredentialCommands(deps: { users: UserAggregate; newId: IdGenerator; clock: Clock }): CredentialCommands {
  const { users, newId } = deps;

  // As ZITADEL's write models, a user of another organisation (or none) does not exist for the caller.
  const run = (actor: Actor, userId: string, command: UserCommand, notFound: ErrorEntry) =>
    users.execute(actor, userId, command, inCallerOrganisation(notFound, "notFound"));

  /** A given expiry must lie ahead; none means "never". */
  const expiration = (date: Date | undefined): Date => {
    if (!date) return new Date(NO_EXPIRATION);
    if (date.getTime() <= deps.clock().getTime()) throw new ZError(Errors.User.ExpireBeforeNow);
    return date;
  };

  return {
    async addMachineKey(actor, input) {
      const expirationDate = expiration(input.expirationDate);
      const given = input.publicKey?.length ? parsePublicKeyPem(Buffer.from(input.publicKey).toString("utf8")) : undefined;
      const pair = given ? undefined : await generateMachineKeyPair();
      const keyId = newId();
      const result = await run(
        actor,
        input.userId,
        {
          type: "AddMachineKey",
          key: {
            keyId,
            type: input.type || KEY_TYPE_JSON,
            expirationDate: rfc3339(expirationDate),
            publicKey: Buffer.from(given ?? pair!.publicKeyPem).toString("base64"),
          },
        },
        Errors.User.KeyUserNotFound,
      );
      const keyDetails = pair && machineKeyFile({ keyId, privateKeyPem: pair.privateKeyPem, expirationDate, userId: input.userId });
      return { keyId, keyDetails, details: toDetails(result) };
    },

    async removeMachineKey(actor, userId, keyId) {
      return toDetails(await run(actor, userId, { type: "RemoveMachineKey", keyId }, Errors.User.KeyNotFound));
    },

    async addPersonalAccessToken(actor, userId, expirationDate) {
      const expires = expiration(expirationDate);
      const token = newPersonalAccessToken();
      const tokenId = newId();
      const result = await run(
        actor,
        userId,
        {
          type: "AddPersonalAccessToken",
          token: { tokenId, expiration: rfc3339(expires), scopes: ["openid"], tokenHash: hashToken(token) },
        },
        Errors.User.PatUserNotFound,
      );
      return { tokenId, token, details: toDetails(result) };
    },

    async removePersonalAccessToken(actor, userId, tokenId) {
      return toDetails(await run(actor, userId, { type: "RemovePersonalAccessToken", tokenId }, Errors.User.PatNotFound));
    },

    async generateMachineSecret(actor, userId) {
      const clientSecret = randomBytes(32).toString("base64url");
      const result = await run(actor, userId, { type: "SetMachineSecret", hashedSecret: hashToken(clientSecret) }, Errors.User.SecretUserNotExisting);
      return { clientId: result.state.userName ?? "", clientSecret, details: toDetails(result) };
    },

    async removeMachineSecret(actor, userId) {
      return toDetails(await run(actor, userId, { type: "RemoveMachineSecret" }, Errors.User.RemoveSecretUserNotExisting));
    },
  };
}
