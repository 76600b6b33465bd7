/**
 * One error catalogue for the whole service. Domain and application code throw
 * `ZError`s built from these entries; only the API edge turns them into wire
 * errors. Ids and i18n keys are ZITADEL's, so clients matching on them keep working.
 */

/** Error kinds, numbered like the gRPC status codes they become. */
export const ErrorKind = {
  InvalidArgument: 3,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

export interface ErrorEntry {
  readonly kind: ErrorKind;
  /** Stable id, shown in parentheses after the message. */
  readonly id: string;
  /** i18n key; translated at the edge, or shown raw when it has no text. */
  readonly key: string;
}

export class ZError extends Error {
  readonly entry: ErrorEntry;
  constructor(entry: ErrorEntry, options?: { cause?: unknown }) {
    super(`${entry.key} (${entry.id})`, options);
    this.name = "ZError";
    this.entry = entry;
  }
}

export function isZError(value: unknown, entry?: ErrorEntry): value is ZError {
  return value instanceof ZError && (entry === undefined || value.entry === entry);
}

const e = (kind: ErrorKind, id: string, key: string): ErrorEntry => Object.freeze({ kind, id, key });
const K = ErrorKind;

export const Errors = {
  Internal: e(K.Internal, "INTERNAL-0000", "Errors.Internal"),
  Unavailable: e(K.Unavailable, "STORE-Unavl", "Errors.Store.Unavailable"),
  ConcurrentModification: e(K.Aborted, "EVENT-9dk2a", "Errors.Concurrency"),
  User: {
    UnlockIdMissing: e(K.InvalidArgument, "COMMAND-M0dse", "Errors.User.UserIDMissing"),
    UnlockNotFound: e(K.NotFound, "COMMAND-M0dos", "Errors.User.NotFound"),
    NotLocked: e(K.FailedPrecondition, "COMMAND-4M0ds", "Errors.User.NotLocked"),
    LockIdMissing: e(K.InvalidArgument, "COMMAND-2M0sd", "Errors.User.UserIDMissing"),
    LockNotFound: e(K.NotFound, "COMMAND-5M9fs", "Errors.User.NotFound"),
    ShouldBeActiveOrInitial: e(K.FailedPrecondition, "COMMAND-3NN8v", "Errors.User.ShouldBeActiveOrInitial"),
    DeactivateIdMissing: e(K.InvalidArgument, "COMMAND-m0gDf", "Errors.User.UserIDMissing"),
    DeactivateNotFound: e(K.NotFound, "COMMAND-3M9ds", "Errors.User.NotFound"),
    CantDeactivateInitial: e(K.NotFound, "COMMAND-ke0fw", "Errors.User.CantDeactivateInitial"),
    AlreadyInactive: e(K.FailedPrecondition, "COMMAND-5M0sf", "Errors.User.AlreadyInactive"),
    ReactivateIdMissing: e(K.InvalidArgument, "COMMAND-4M9ds", "Errors.User.UserIDMissing"),
    ReactivateNotFound: e(K.NotFound, "COMMAND-4M0sd", "Errors.User.NotFound"),
    NotInactive: e(K.FailedPrecondition, "COMMAND-6M0sf", "Errors.User.NotInactive"),
    QueryNotFound: e(K.NotFound, "QUERY-Dfbg2", "Errors.User.NotFound"),
    AlreadyExists: e(K.AlreadyExists, "V3-DKcAh", "Errors.User.AlreadyExists"),
    IdAlreadyExists: e(K.AlreadyExists, "COMMAND-k2unb", "Errors.User.AlreadyExisting"),
    Invalid: e(K.InvalidArgument, "COMMAND-zz9hs", "Errors.User.Invalid"),
    PasswordHashInvalid: e(K.InvalidArgument, "COMMAND-4n8Ed", "Errors.User.Password.Invalid"),
    PatUserNotFound: e(K.FailedPrecondition, "COMMAND-Dggw2", "Errors.User.NotFound"),
    WrongType: e(K.FailedPrecondition, "COMMAND-Df2f1", "Errors.User.WrongType"),
  },
  Org: {
    NotFound: e(K.PermissionDenied, "AUTH-Bs7Ds", "Organisation doesn't exist"),
  },
  Auth: {
    HeaderMissing: e(K.Unauthenticated, "", "auth header missing"),
    HeaderInvalid: e(K.Unauthenticated, "AUTH-7fs1e", "invalid auth header"),
    TokenInvalid: e(K.Unauthenticated, "AUTH-7fs1e", "Errors.Token.Invalid"),
    MembershipNotFound: e(K.NotFound, "AUTHZ-cdgFk", "membership not found"),
    PermissionDenied: e(K.PermissionDenied, "AUTH-5mWD2", "No matching permissions found"),
  },
} as const;

/** English texts of the i18n keys. A key without a text goes on the wire as is. */
const englishTexts: Readonly<Record<string, string>> = {
  "Errors.Internal": "An internal error occurred",
  "Errors.Store.Unavailable": "The event store is not reachable",
  "Errors.Concurrency": "The object was changed concurrently, try again",
  "Errors.User.UserIDMissing": "User ID missing",
  "Errors.User.NotFound": "User could not be found",
  "Errors.User.NotLocked": "User is not locked",
  "Errors.User.ShouldBeActiveOrInitial": "User is not active or initial",
  "Errors.User.AlreadyExists": "User already exists",
  "Errors.User.AlreadyInactive": "User already inactive",
  "Errors.User.NotInactive": "User is not inactive",
  "Errors.User.CantDeactivateInitial": "User with state initial can only be deleted not deactivated",
  "Errors.User.AlreadyExisting": "User already exists",
  "Errors.User.Invalid": "Userdata is invalid",
  "Errors.User.Password.Invalid": "Password is invalid",
};

/** The English text of an entry, or its raw key when there is none (as ZITADEL does). */
export function englishText(entry: ErrorEntry): string {
  return englishTexts[entry.key] ?? entry.key;
}

/** The status message as ZITADEL writes it: "<text> (<id>)", or the text alone without an id. */
export function statusMessage(entry: ErrorEntry): string {
  const text = englishText(entry);
  return entry.id ? `${text} (${entry.id})` : text;
}
