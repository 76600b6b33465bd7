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
  Unimplemented: 12,
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
  /** Set on a failed credential check: the failures counted so far (the wire gets a CredentialsCheckError). */
  readonly failedAttempts?: number;
  constructor(entry: ErrorEntry, options?: { cause?: unknown; failedAttempts?: number }) {
    super(`${entry.key} (${entry.id})`, options);
    this.name = "ZError";
    this.entry = entry;
    if (options?.failedAttempts !== undefined) this.failedAttempts = options.failedAttempts;
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
    // Machine credentials (keys, personal access tokens, client secret).
    KeyUserNotFound: e(K.FailedPrecondition, "COMMAND-bnipwm1", "Errors.User.NotFound"),
    KeyAlreadyExists: e(K.AlreadyExists, "COMMAND-091mops", "Errors.User.Machine.Key.AlreadyExists"),
    KeyNotFound: e(K.NotFound, "COMMAND-4m77G", "Errors.User.Machine.Key.NotFound"),
    KeyInvalid: e(K.InvalidArgument, "COMMAND-5F3h1", "Errors.User.Machine.Key.Invalid"),
    ExpireBeforeNow: e(K.InvalidArgument, "DOMAIN-dv3t5", "Errors.AuthNKey.ExpireBeforeNow"),
    PatNotFound: e(K.NotFound, "COMMAND-4m77G", "Errors.User.PAT.NotFound"),
    SecretUserNotExisting: e(K.FailedPrecondition, "COMMAND-x8910n", "Errors.User.NotExisting"),
    RemoveSecretUserNotExisting: e(K.FailedPrecondition, "COMMAND-x7s802", "Errors.User.NotExisting"),
    SecretNotExisting: e(K.FailedPrecondition, "COMMAND-coi82n", "Errors.User.Machine.Secret.NotExisting"),
  },
  Org: {
    NotFound: e(K.PermissionDenied, "AUTH-Bs7Ds", "Organisation doesn't exist"),
    Invalid: e(K.InvalidArgument, "COMM-deLSk", "Errors.Org.Invalid"),
    AlreadyExists: e(K.AlreadyExists, "V3-DKcAh", "Errors.Org.AlreadyExists"),
    QueryNotFound: e(K.NotFound, "QUERY-iTTGJ", "Errors.Org.NotFound"),
    MemberUserIdMissing: e(K.InvalidArgument, "ORG-4Mlfs", "Errors.Invalid.Argument"),
    MemberRolesMissing: e(K.InvalidArgument, "V2-PfYhb", "Errors.Invalid.Argument"),
    MemberInvalid: e(K.InvalidArgument, "Org-4N8es", "Errors.Org.MemberInvalid"),
    MemberUserNotFound: e(K.FailedPrecondition, "ORG-GoXOn", "Errors.User.NotFound"),
    MemberAlreadyExists: e(K.AlreadyExists, "ORG-poWwe", "Errors.Org.Member.AlreadyExists"),
    MemberNotFound: e(K.NotFound, "Org-D8JxR", "Errors.NotFound"),
  },
  // v1 lifecycle beyond lock/unlock: removal and passwords.
  Lifecycle: {
    RemoveIdMissing: e(K.InvalidArgument, "COMMAND-2M0ds", "Errors.User.UserIDMissing"),
    RemoveNotFound: e(K.NotFound, "COMMAND-m9od", "Errors.User.NotFound"),
    SetPasswordIdMissing: e(K.InvalidArgument, "COMMAND-3M0fs", "Errors.IDMissing"),
    SetPasswordNotFound: e(K.FailedPrecondition, "COMMAND-3M0fs", "Errors.User.NotFound"),
    PasswordNotInitialised: e(K.FailedPrecondition, "COMMAND-M9dse", "Errors.User.NotInitialised"),
  },
  // The v2 UserService: its own ids; permissions are checked after the state checks.
  UserV2: {
    LockIdMissing: e(K.InvalidArgument, "COMMAND-agz3eczifm", "Errors.User.UserIDMissing"),
    LockNotFound: e(K.NotFound, "COMMAND-450yxuqrh1", "Errors.User.NotFound"),
    ShouldBeActiveOrInitial: e(K.FailedPrecondition, "COMMAND-lgws8wtsqf", "Errors.User.ShouldBeActiveOrInitial"),
    UnlockIdMissing: e(K.InvalidArgument, "COMMAND-a9ld4xckax", "Errors.User.UserIDMissing"),
    UnlockNotFound: e(K.NotFound, "COMMAND-x377t913pw", "Errors.User.NotFound"),
    NotLocked: e(K.FailedPrecondition, "COMMAND-olb9vb0oca", "Errors.User.NotLocked"),
    DeactivateIdMissing: e(K.InvalidArgument, "COMMAND-78iiirat8y", "Errors.User.UserIDMissing"),
    DeactivateNotFound: e(K.NotFound, "COMMAND-5gp2p62iin", "Errors.User.NotFound"),
    CantDeactivateInitial: e(K.FailedPrecondition, "COMMAND-gvx4kct9r2", "Errors.User.CantDeactivateInitial"),
    AlreadyInactive: e(K.FailedPrecondition, "COMMAND-5gunjw0cd7", "Errors.User.AlreadyInactive"),
    ReactivateIdMissing: e(K.InvalidArgument, "COMMAND-0nx1ie38fw", "Errors.User.UserIDMissing"),
    ReactivateNotFound: e(K.NotFound, "COMMAND-9hy5kzbuk6", "Errors.User.NotFound"),
    NotInactive: e(K.FailedPrecondition, "COMMAND-s5qqcz97hf", "Errors.User.NotInactive"),
    RemoveIdMissing: e(K.InvalidArgument, "COMMAND-vaipl7s13l", "Errors.User.UserIDMissing"),
    RemoveNotFound: e(K.NotFound, "COMMAND-bd4ir1mblj", "Errors.User.NotFound"),
    PermissionDenied: e(K.PermissionDenied, "AUTH-AWfge", "No matching permissions found"),
    OrgDomainUnsupported: e(K.Unimplemented, "", "organization.org_domain is not supported, use organization.org_id"),
    MetadataUnsupported: e(K.Unimplemented, "", "metadata is not supported"),
    IdpLinksUnsupported: e(K.Unimplemented, "", "idp_links are not supported"),
    TotpSecretUnsupported: e(K.Unimplemented, "", "totp_secret is not supported"),
    CodeDeliveryUnsupported: e(K.Unimplemented, "", "verification codes are not supported: set is_verified or leave the verification empty"),
  },
  // Password checks, the complexity policy and the lockout they feed.
  Password: {
    Invalid: e(K.InvalidArgument, "COMMAND-3M0fs", "Errors.User.Password.Invalid"),
    CheckUserNotFound: e(K.FailedPrecondition, "COMMAND-3n77z", "Errors.User.NotFound"),
    Locked: e(K.FailedPrecondition, "COMMAND-JLK35", "Errors.User.Locked"),
    LockedMeanwhile: e(K.FailedPrecondition, "COMMAND-SFA3t", "Errors.User.Locked"),
    NotSet: e(K.FailedPrecondition, "COMMAND-3nJ4t", "Errors.User.Password.NotSet"),
    /** The hash changed while a password was being verified: verify again. */
    CheckStale: e(K.Aborted, "COMMAND-Pw5tl", "Errors.Concurrency"),
    MinLength: e(K.InvalidArgument, "DOMAIN-HuJf6", "Errors.User.PasswordComplexityPolicy.MinLength"),
    HasLower: e(K.InvalidArgument, "DOMAIN-co3Xw", "Errors.User.PasswordComplexityPolicy.HasLower"),
    HasUpper: e(K.InvalidArgument, "DOMAIN-VoaRj", "Errors.User.PasswordComplexityPolicy.HasUpper"),
    HasNumber: e(K.InvalidArgument, "DOMAIN-ZBv4H", "Errors.User.PasswordComplexityPolicy.HasNumber"),
    HasSymbol: e(K.InvalidArgument, "DOMAIN-ZDLwA", "Errors.User.PasswordComplexityPolicy.HasSymbol"),
    OtpInvalid: e(K.InvalidArgument, "CODE-woT0xc", "Errors.User.Code.Invalid"),
    OtpLocked: e(K.FailedPrecondition, "COMMAND-S6h4R", "Errors.User.Locked"),
  },
  Session: {
    UserNotActive: e(K.FailedPrecondition, "SESSION-Gj4ko", "Errors.User.NotActive"),
    UserIdMissing: e(K.FailedPrecondition, "COMMAND-Sfw3f", "Errors.User.UserIDMissing"),
    UserChangeNotPossible: e(K.InvalidArgument, "", "user change not possible"),
    TokenInvalid: e(K.PermissionDenied, "COMMAND-sGr42", "Errors.Session.Token.Invalid"),
    Terminated: e(K.FailedPrecondition, "COMAND-SAjeh", "Errors.Session.Terminated"),
    Expired: e(K.FailedPrecondition, "COMMAND-Hkl3d", "Errors.Session.Expired"),
    // Also the answer to a reader without the token or a permission, so that nobody learns that a session exists.
    NotExisting: e(K.NotFound, "QUERY-SFeaa", "Errors.Session.NotExisting"),
    ListQueryInvalid: e(K.InvalidArgument, "GRPC-Sfefs", "List.Query.Invalid"),
    CreatorQueryInvalid: e(K.InvalidArgument, "GRPC-x8n24uh", "List.Query.Invalid"),
    UserAgentQueryInvalid: e(K.InvalidArgument, "GRPC-x8n23uh", "List.Query.Invalid"),
    // Ours: ids are at most 200 characters everywhere else; longer ones are refused before any lookup.
    IdTooLong: e(K.InvalidArgument, "SESSION-Id200", "Errors.Session.IdTooLong"),
    TooManyIds: e(K.InvalidArgument, "SESSION-Ids1k", "Errors.Session.TooManyIds"),
    TimestampInvalid: e(K.InvalidArgument, "SESSION-Ts0nn", "Errors.Session.TimestampInvalid"),
    WebAuthNUnsupported: e(K.Unimplemented, "", "WebAuthN checks and challenges are not supported"),
    IdpIntentUnsupported: e(K.Unimplemented, "", "IDP intent checks are not supported"),
    OtpUnsupported: e(K.Unimplemented, "", "TOTP and OTP checks and challenges are not supported"),
  },
  // OIDC authorization requests between the authorize endpoint, the login and the token endpoint.
  AuthRequest: {
    AlreadyExisting: e(K.FailedPrecondition, "COMMAND-Sf3gt", "Errors.AuthRequest.AlreadyExisting"),
    NotExisting: e(K.NotFound, "COMMAND-jae5P", "Errors.AuthRequest.NotExisting"),
    AlreadyHandled: e(K.FailedPrecondition, "COMMAND-Sx208nt", "Errors.AuthRequest.AlreadyHandled"),
    Expired: e(K.FailedPrecondition, "COMMAND-Ae5xp", "Errors.AuthRequest.Expired"),
    NoCode: e(K.FailedPrecondition, "COMMAND-SFwd2", "Errors.AuthRequest.NoCode"),
    InvalidCode: e(K.FailedPrecondition, "COMMAND-Ht52d", "Errors.AuthRequest.InvalidCode"),
    CodeExpired: e(K.FailedPrecondition, "COMMAND-Cx7pd", "Errors.AuthRequest.CodeExpired"),
    CodeExchanged: e(K.FailedPrecondition, "COMMAND-Cx8rp", "Errors.AuthRequest.CodeExchanged"),
    SessionNotExisting: e(K.NotFound, "COMMAND-x0099887", "Errors.Session.NotExisting"),
    UserNotChecked: e(K.FailedPrecondition, "COMMAND-Lk2uc", "Errors.AuthRequest.UserNotChecked"),
    PasswordCheckTooOld: e(K.FailedPrecondition, "COMMAND-Lk3pw", "Errors.AuthRequest.PasswordCheckTooOld"),
  },
  OidcSession: {
    AlreadyExists: e(K.FailedPrecondition, "OIDCS-Ax1ex", "Errors.OIDCSession.AlreadyExists"),
    RefreshTokenInvalid: e(K.PermissionDenied, "OIDCS-JOI23", "Errors.OIDCSession.RefreshTokenInvalid"),
    RefreshTokenExpired: e(K.PermissionDenied, "OIDCS-Rt5xp", "Errors.OIDCSession.RefreshTokenInvalid"),
  },
  LockoutPolicy: {
    AddOrgMissing: e(K.InvalidArgument, "Org-8fJif", "Errors.ResourceOwnerMissing"),
    AlreadyExists: e(K.AlreadyExists, "ORG-0olDf", "Errors.ORG.LockoutPolicy.AlreadyExists"),
    ChangeOrgMissing: e(K.InvalidArgument, "Org-3J9fs", "Errors.ResourceOwnerMissing"),
    ChangeNotFound: e(K.NotFound, "ORG-ADfs1", "Errors.Org.LockoutPolicy.NotFound"),
    NotChanged: e(K.FailedPrecondition, "ORG-0JFSr", "Errors.Org.LockoutPolicy.NotChanged"),
    RemoveOrgMissing: e(K.InvalidArgument, "Org-4J9fs", "Errors.ResourceOwnerMissing"),
    RemoveNotFound: e(K.NotFound, "ORG-D4zuz", "Errors.Org.LockoutPolicy.NotFound"),
  },
  // Ours: Latchkey's lockout schedule, address blocks and unlock links.
  LockoutSchedule: {
    NotFound: e(K.NotFound, "LOCKOUT-Sch404", "The organisation has no lockout schedule of its own"),
    NotChanged: e(K.FailedPrecondition, "LOCKOUT-Sch304", "The lockout schedule is unchanged"),
    Invalid: e(K.InvalidArgument, "LOCKOUT-Sch400", "The lockout schedule is invalid"),
    AddressBlocked: e(K.FailedPrecondition, "LOCKOUT-Adr423", "Too many failed sign-ins from this address"),
    BlockNotFound: e(K.NotFound, "LOCKOUT-Adr404", "No such address block"),
    AddressInvalid: e(K.InvalidArgument, "LOCKOUT-Adr400", "The address is not an IP address"),
  },
  UnlockLink: {
    Invalid: e(K.FailedPrecondition, "LOCKOUT-Lnk410", "The unlock link is invalid, used or expired"),
    NotConfigured: e(K.FailedPrecondition, "LOCKOUT-Lnk503", "Unlock links need a mail server (LATCHKEY_SMTP_URL)"),
    UserNotFound: e(K.NotFound, "LOCKOUT-Lnk404", "Errors.User.NotFound"),
    NotLocked: e(K.FailedPrecondition, "LOCKOUT-Lnk409", "The user is not locked"),
    NotAllowed: e(K.FailedPrecondition, "LOCKOUT-Lnk403", "The lockout schedule does not allow self-service unlock"),
    NoVerifiedEmail: e(K.FailedPrecondition, "LOCKOUT-Lnk412", "The user has no verified email address"),
  },
  // Projects and their applications. A project of another organisation does not exist for the caller (NOT_FOUND).
  Project: {
    Invalid: e(K.InvalidArgument, "PROJECT-IOVCC", "Errors.Project.Invalid"),
    AlreadyExisting: e(K.AlreadyExists, "COMMAND-opamwu", "Errors.Project.AlreadyExisting"),
    NameTaken: e(K.AlreadyExists, "V3-DKcAh", "Errors.Project.AlreadyExists"),
    NotFound: e(K.NotFound, "PROJECT-3m9ss", "Errors.Project.NotFound"),
    QueryNotFound: e(K.NotFound, "QUERY-fk2fs", "Errors.Project.NotFound"),
    AppInvalid: e(K.InvalidArgument, "PROJECT-1n8df", "Errors.Project.App.Invalid"),
    AppAlreadyExisting: e(K.FailedPrecondition, "PROJECT-lxowmp", "Errors.Project.App.AlreadyExisting"),
    AppNameTaken: e(K.AlreadyExists, "V3-DKcAh", "Errors.Project.App.AlreadyExists"),
    AppIdMissing: e(K.InvalidArgument, "COMMAND-1b7Jf", "Errors.IDMissing"),
    AppNotExisting: e(K.NotFound, "COMMAND-0po9s", "Errors.Project.App.NotExisting"),
    AppQueryNotFound: e(K.NotFound, "QUERY-pCP8P", "Errors.Project.App.NotExisting"),
    // Ours: ZITADEL reports these as compliance problems and stores the application anyway.
    RedirectUriInvalid: e(K.InvalidArgument, "PROJECT-RdUri", "Errors.Project.App.RedirectUriInvalid"),
    RedirectUriMissing: e(K.InvalidArgument, "PROJECT-RdMis", "Errors.Project.App.RedirectUriMissing"),
    OriginInvalid: e(K.InvalidArgument, "PROJECT-Orgn1", "Errors.Project.App.OriginInvalid"),
    TooManyUris: e(K.InvalidArgument, "PROJECT-UriMx", "Errors.Project.App.TooManyUris"),
    AuthMethodNotAllowed: e(K.InvalidArgument, "PROJECT-AuthM", "Errors.Project.App.AuthMethodNotAllowed"),
  },
  Auth: {
    HeaderMissing: e(K.Unauthenticated, "", "auth header missing"),
    HeaderInvalid: e(K.Unauthenticated, "AUTH-7fs1e", "invalid auth header"),
    TokenInvalid: e(K.Unauthenticated, "AUTH-7fs1e", "Errors.Token.Invalid"),
    MembershipNotFound: e(K.NotFound, "AUTHZ-cdgFk", "membership not found"),
    PermissionDenied: e(K.PermissionDenied, "AUTH-5mWD2", "No matching permissions found"),
    // Ours: ZITADEL lets any user.write holder act on everyone in the organisation.
    TargetOutranksCaller: e(K.PermissionDenied, "AUTH-Rk7qW", "The user holds roles the caller does not hold"),
    RolesBeyondCaller: e(K.PermissionDenied, "AUTH-Gr4nt", "Roles the caller does not hold cannot be granted"),
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
  "Errors.IDMissing": "ID missing",
  "Errors.ResourceOwnerMissing": "Resource Owner Organisation missing",
  "Errors.User.Locked": "User is locked",
  "Errors.User.NotInitialised": "User is not yet initialized",
  "Errors.User.Password.NotSet": "User has not set a password",
  "Errors.User.PasswordComplexityPolicy.MinLength": "Password is too short",
  "Errors.User.PasswordComplexityPolicy.HasLower": "Password must contain lower case",
  "Errors.User.PasswordComplexityPolicy.HasUpper": "Password must contain upper case",
  "Errors.User.PasswordComplexityPolicy.HasNumber": "Password must contain number",
  "Errors.User.PasswordComplexityPolicy.HasSymbol": "Password must contain symbol",
  "Errors.User.Code.Invalid": "Code is invalid",
  "Errors.Session.Token.Invalid": "Session Token is invalid",
  "Errors.Session.Terminated": "Session already terminated",
  "Errors.Session.NotExisting": "Session does not exist",
  "Errors.Session.IdTooLong": "A session id is at most 200 characters long",
  "Errors.Session.TooManyIds": "At most 1000 session ids per query",
  "Errors.Session.TimestampInvalid": "The timestamp is not valid (nanos must be 0 to 999999999)",
  "Errors.User.Machine.Key.NotFound": "Machine key not found",
  "Errors.User.Machine.Key.Invalid": "Public key is not a valid RSA public key in PKIX format with PEM encoding",
  "Errors.User.Machine.Secret.NotExisting": "Secret doesn't exist",
  "Errors.User.PAT.NotFound": "Personal Access Token not found",
  "Errors.User.WrongType": "Not allowed for this user type",
  "Errors.Org.Invalid": "Organisation is invalid",
  "Errors.Org.AlreadyExists": "Organisation's name or id already taken",
  "Errors.Org.NotFound": "Organisation not found",
  "Errors.AuthRequest.AlreadyExisting": "AuthRequest already exists",
  "Errors.AuthRequest.NotExisting": "AuthRequest does not exist",
  "Errors.AuthRequest.AlreadyHandled": "AuthRequest is already handled",
  "Errors.AuthRequest.Expired": "AuthRequest has expired",
  "Errors.AuthRequest.NoCode": "AuthRequest has no code",
  "Errors.AuthRequest.InvalidCode": "The code is invalid",
  "Errors.AuthRequest.CodeExpired": "The code has expired",
  "Errors.AuthRequest.CodeExchanged": "The code was already used",
  "Errors.AuthRequest.UserNotChecked": "The session has no checked user",
  "Errors.AuthRequest.PasswordCheckTooOld": "The session's password check is older than the request allows",
  "Errors.OIDCSession.AlreadyExists": "OIDC session already exists",
  "Errors.OIDCSession.RefreshTokenInvalid": "Refresh Token Invalid",
  "Errors.Project.Invalid": "Project is invalid",
  "Errors.Project.AlreadyExisting": "Project already exists",
  "Errors.Project.AlreadyExists": "Project already exists on organisation",
  "Errors.Project.NotFound": "Project not found",
  "Errors.Project.App.Invalid": "Application invalid",
  "Errors.Project.App.AlreadyExisting": "Application already exists",
  "Errors.Project.App.AlreadyExists": "Application already exists",
  "Errors.Project.App.NotExisting": "Application doesn't exist",
  "Errors.Project.App.RedirectUriInvalid":
    "Redirect URIs must be absolute, without fragment; http only for localhost or in dev mode; custom schemes only for native apps",
  "Errors.Project.App.RedirectUriMissing": "At least one redirect URI is required",
  "Errors.Project.App.OriginInvalid": "Additional origins must be http(s) origins without path",
  "Errors.Project.App.TooManyUris": "Too many URIs or a URI too long",
  "Errors.Project.App.AuthMethodNotAllowed": "User-agent and native applications cannot keep a secret: use auth method NONE; PRIVATE_KEY_JWT is not supported",
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
