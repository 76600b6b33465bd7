import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LogLevel } from "./lib/logger.js";
import { isPostgresUrl, parsePostgresUrl } from "./lib/postgres-url.js";
import { isAddressOrRange } from "./server/client-address.js";

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Parser<T> = (raw: string, name: string) => T;

const text: Parser<string> = (raw, name) => {
  if (raw.trim() === "") throw new ConfigError(`${name} must not be empty`);
  return raw;
};

const integer =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };

/** A setting that may be left empty. */
const optionalText: Parser<string> = (raw) => raw.trim();

/** A port, or undefined when left empty. */
const optionalPort: Parser<number | undefined> = (raw, name) => (raw.trim() === "" ? undefined : integer(0, 65535)(raw, name));

/** A duration such as 90s, 30m, 12h or 7d, in milliseconds. */
const duration =
  (minMs: number): Parser<number> =>
  (raw, name) => {
    const match = /^(\d+)(s|m|h|d)$/.exec(raw.trim());
    const ms = match ? Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"] : NaN;
    if (!(ms >= minMs)) throw new ConfigError(`${name} must be a duration like 90s, 30m, 12h or 7d of at least ${minMs / 1000}s, got "${raw}"`);
    return ms;
  };

/** Addresses and CIDR ranges, comma-separated; checked here so that a typo fails the start. */
const trustedProxies: Parser<readonly string[]> = (raw, name) => {
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const entry of entries) {
    if (!isAddressOrRange(entry)) throw new ConfigError(`${name} must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8, ::1), got "${entry}"`);
  }
  return entries;
};

/** An smtp:// or smtps:// URL (user and password may be in it), or "" for none. */
const smtpUrl: Parser<string> = (raw, name) => {
  const value = raw.trim();
  if (value === "") return "";
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  // Never echo the value: it may carry a password.
  if (!parsed || (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") || !parsed.hostname) {
    throw new ConfigError(`${name} must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587`);
  }
  return value;
};

const masterKey: Parser<string> = (raw, name) => {
  if (raw !== "" && raw.length < 32) throw new ConfigError(`${name} must have at least 32 characters`);
  return raw;
};

const url: Parser<string> = (raw, name) => {
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
    return raw.replace(/\/+$/, "");
  } catch {
    throw new ConfigError(`${name} must be an http:// or https:// URL, got "${raw}"`);
  }
};

/**
 * A SQLite path, a `file:` URL (read as the path it names) or a PostgreSQL
 * URL. Any other scheme is refused: it would otherwise become a folder
 * named after the URL, with a new instance in it.
 */
const database: Parser<string> = (raw, name) => {
  const value = text(raw, name).trim();
  if (/^file:/i.test(value)) return sqlitePathOfFileUrl(value, name);
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(value)?.[1]; // two letters at least: C:\ is a path
  if (scheme && !isPostgresUrl(value)) {
    throw new ConfigError(`${name} must be a SQLite file path or a postgres:// (postgresql://) URL; "${scheme}:" is not supported`);
  }
  if (!isPostgresUrl(value)) return value;
  try {
    parsePostgresUrl(value);
  } catch (error) {
    throw new ConfigError(`${name} ${(error as Error).message}`);
  }
  return value;
};

function sqlitePathOfFileUrl(value: string, name: string): string {
  try {
    const url = new URL(value);
    if (url.search || url.hash) throw new Error();
    // file:///abs/path and file:relative/path (which the URL parser would make absolute)
    return value.startsWith("file://") || value.startsWith("FILE://") ? fileURLToPath(url) : decodeURIComponent(value.slice("file:".length));
  } catch {
    throw new ConfigError(`${name} must be a SQLite file path, a file: URL without parameters, or a postgres:// URL, got "${value}"`);
  }
}

const logLevel: Parser<LogLevel> = (raw, name) => {
  if (raw === "debug" || raw === "info" || raw === "warn" || raw === "error") return raw;
  throw new ConfigError(`${name} must be one of debug, info, warn, error, got "${raw}"`);
};

const origins: Parser<"*" | readonly string[]> = (raw, name) => {
  if (raw.trim() === "*") return "*";
  const list = raw
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of list) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`${name} must be * or a comma-separated list of origins like https://console.example.com, got "${origin}"`);
    }
  }
  if (list.length === 0) throw new ConfigError(`${name} must be * or a list of origins`);
  return Object.freeze(list);
};

const settings = {
  /** LATCHKEY_PORT / --port: the one port for all wires. Default 8080. */
  port: { env: "LATCHKEY_PORT", fallback: "8080", parse: integer(0, 65535) },
  /** LATCHKEY_HOST / --host: the address to listen on. Default 0.0.0.0. */
  host: { env: "LATCHKEY_HOST", fallback: "0.0.0.0", parse: text },
  /**
   * LATCHKEY_DATABASE / --database: a SQLite file path (or file: URL), or a postgres:// (postgresql://) URL for
   * PostgreSQL; `?schema=name` puts the tables in that schema (docs/deployment.md). Default ./data/latchkey.db.
   */
  database: { env: "LATCHKEY_DATABASE", fallback: "./data/latchkey.db", parse: database },
  // The default follows the port (see loadConfig); "" here means "not set".
  /** LATCHKEY_EXTERNAL_URL / --external-url: public base URL. Default http://localhost:<port>. */
  externalUrl: { env: "LATCHKEY_EXTERNAL_URL", fallback: "", parse: url, shown: "http://localhost:<port>" },
  /** LATCHKEY_FIRST_INSTANCE_PAT_PATH / --first-instance-pat-path: admin token file, written once. Default ./data/admin.pat. */
  firstInstancePatPath: { env: "LATCHKEY_FIRST_INSTANCE_PAT_PATH", fallback: "./data/admin.pat", parse: text },
  /**
   * LATCHKEY_FIRST_INSTANCE_ADMIN_PASSWORD_PATH / --first-instance-admin-password-path: where the first start writes the
   * generated password of the human admin (user name "admin"), for the console; written once. Default "" (admin.password
   * next to the admin token file, so ./data/admin.password).
   */
  firstInstanceAdminPasswordPath: {
    env: "LATCHKEY_FIRST_INSTANCE_ADMIN_PASSWORD_PATH",
    fallback: "",
    parse: optionalText,
    shown: "admin.password next to the admin token file",
  },
  /** LATCHKEY_FIRST_INSTANCE_MACHINE_KEY_PATH / --first-instance-machine-key-path: admin key file (ZITADEL's JSON), written once. Default "" (none). */
  firstInstanceMachineKeyPath: { env: "LATCHKEY_FIRST_INSTANCE_MACHINE_KEY_PATH", fallback: "", parse: optionalText },
  /** LATCHKEY_MASTERKEY / --masterkey: at least 32 characters; seals the signing keys at rest. Default "" (use the key file). */
  masterKey: { env: "LATCHKEY_MASTERKEY", fallback: "", parse: masterKey, shown: "none (use the key file)" },
  /** LATCHKEY_MASTERKEY_PATH / --masterkey-path: key file used (and created on first start) without LATCHKEY_MASTERKEY. Default "" (next to the SQLite file, else ./data/masterkey). */
  masterKeyPath: {
    env: "LATCHKEY_MASTERKEY_PATH",
    fallback: "",
    parse: optionalText,
    shown: "masterkey next to the SQLite file (./data/masterkey for PostgreSQL)",
  },
  /** LATCHKEY_ACCESS_TOKEN_LIFETIME / --access-token-lifetime: lifetime of issued tokens, e.g. 12h, 30m. Default 12h. */
  accessTokenLifetimeMs: { env: "LATCHKEY_ACCESS_TOKEN_LIFETIME", fallback: "12h", parse: duration(60_000) },
  /** LATCHKEY_SIGNING_KEY_ROTATION / --signing-key-rotation: how long one signing key signs before the next takes over. Default 6h. */
  signingKeyRotationMs: { env: "LATCHKEY_SIGNING_KEY_ROTATION", fallback: "6h", parse: duration(60_000) },
  /** LATCHKEY_LOG_LEVEL / --log-level: debug, info, warn or error. Default info. */
  logLevel: { env: "LATCHKEY_LOG_LEVEL", fallback: "info", parse: logLevel },
  /** LATCHKEY_CORS_ORIGINS / --cors-origins: "*" or a comma-separated list of origins. Default *. */
  corsOrigins: { env: "LATCHKEY_CORS_ORIGINS", fallback: "*", parse: origins },
  /** LATCHKEY_MAX_REQUEST_BYTES / --max-request-bytes: largest request body. Default 4194304 (4 MiB). */
  maxRequestBytes: { env: "LATCHKEY_MAX_REQUEST_BYTES", fallback: "4194304", parse: integer(1024, 1024 * 1024 * 1024) },
  /** LATCHKEY_DB_POOL_SIZE / --db-pool-size: PostgreSQL connections per instance. Default 10. */
  dbPoolSize: { env: "LATCHKEY_DB_POOL_SIZE", fallback: "10", parse: integer(1, 1000) },
  /** LATCHKEY_DB_STATEMENT_TIMEOUT_MS / --db-statement-timeout-ms: PostgreSQL statement timeout, also the wait for a free connection. Default 5000. */
  dbStatementTimeoutMs: { env: "LATCHKEY_DB_STATEMENT_TIMEOUT_MS", fallback: "5000", parse: integer(100, 3_600_000) },
  /** LATCHKEY_TLS_CERT / --tls-cert: PEM certificate (chain) file; with the key, the port speaks TLS. Default "" (cleartext). */
  tlsCert: { env: "LATCHKEY_TLS_CERT", fallback: "", parse: optionalText },
  /** LATCHKEY_TLS_KEY / --tls-key: PEM private key file of the certificate. Default "". */
  tlsKey: { env: "LATCHKEY_TLS_KEY", fallback: "", parse: optionalText },
  /** LATCHKEY_SHUTDOWN_GRACE_MS / --shutdown-grace-ms: how long calls in flight may finish after SIGTERM/SIGINT. Default 10000. */
  shutdownGraceMs: { env: "LATCHKEY_SHUTDOWN_GRACE_MS", fallback: "10000", parse: integer(0, 3_600_000) },
  /** LATCHKEY_SHUTDOWN_DELAY_MS / --shutdown-delay-ms: time between readiness turning false and no longer accepting connections. Default 0. */
  shutdownDelayMs: { env: "LATCHKEY_SHUTDOWN_DELAY_MS", fallback: "0", parse: integer(0, 600_000) },
  /** LATCHKEY_CALL_TIMEOUT_MS / --call-timeout-ms: longest a unary call may run (a shorter client deadline wins); 0 = no limit. Default 60000. */
  callTimeoutMs: { env: "LATCHKEY_CALL_TIMEOUT_MS", fallback: "60000", parse: integer(0, 86_400_000) },
  /** LATCHKEY_MAX_CONCURRENT_STREAMS / --max-concurrent-streams: HTTP/2 streams per connection. Default 250. */
  maxConcurrentStreams: { env: "LATCHKEY_MAX_CONCURRENT_STREAMS", fallback: "250", parse: integer(1, 2 ** 31 - 1) },
  /** LATCHKEY_MAX_HEADER_BYTES / --max-header-bytes: largest request header block (HTTP/1.1 and HTTP/2). Default 16384. */
  maxHeaderBytes: { env: "LATCHKEY_MAX_HEADER_BYTES", fallback: "16384", parse: integer(1024, 1024 * 1024) },
  /** LATCHKEY_IDLE_TIMEOUT_MS / --idle-timeout-ms: a connection without calls is closed after this; 0 = never. Default 120000. */
  idleTimeoutMs: { env: "LATCHKEY_IDLE_TIMEOUT_MS", fallback: "120000", parse: integer(0, 86_400_000) },
  /** LATCHKEY_HEADERS_TIMEOUT_MS / --headers-timeout-ms: time a connection has to send a request's headers (HTTP/1.1) or its first settings (HTTP/2). Default 10000. */
  headersTimeoutMs: { env: "LATCHKEY_HEADERS_TIMEOUT_MS", fallback: "10000", parse: integer(100, 3_600_000) },
  /** LATCHKEY_REQUEST_BODY_TIMEOUT_MS / --request-body-timeout-ms: time a request has to arrive whole, headers and body. Default 30000. */
  requestBodyTimeoutMs: { env: "LATCHKEY_REQUEST_BODY_TIMEOUT_MS", fallback: "30000", parse: integer(100, 86_400_000) },
  /** LATCHKEY_MAX_CONNECTIONS / --max-connections: open connections at most (further capped by the open-file limit); beyond it the oldest connection without a call in progress is dropped. Default 10000. */
  maxConnections: { env: "LATCHKEY_MAX_CONNECTIONS", fallback: "10000", parse: integer(1, 1_000_000) },
  /** LATCHKEY_METRICS_PORT / --metrics-port: serve /metrics on this port (same host) instead of the main port. Default "" (the main port). */
  metricsPort: { env: "LATCHKEY_METRICS_PORT", fallback: "", parse: optionalPort },
  /** LATCHKEY_METRICS_INTERVAL_MS / --metrics-interval-ms: /metrics is rendered at most once per this and shared; 0 shares only a rendering in progress. Default 1000. */
  metricsIntervalMs: { env: "LATCHKEY_METRICS_INTERVAL_MS", fallback: "1000", parse: integer(0, 60_000) },
  /** LATCHKEY_LOCKOUT_MAX_PASSWORD_ATTEMPTS / --lockout-max-password-attempts: instance default of failed password checks that lock a user; 0 never locks. Default 0. */
  lockoutMaxPasswordAttempts: { env: "LATCHKEY_LOCKOUT_MAX_PASSWORD_ATTEMPTS", fallback: "0", parse: integer(0, 1_000_000) },
  /** LATCHKEY_LOCKOUT_MAX_OTP_ATTEMPTS / --lockout-max-otp-attempts: the same for OTP checks. Default 0. */
  lockoutMaxOtpAttempts: { env: "LATCHKEY_LOCKOUT_MAX_OTP_ATTEMPTS", fallback: "0", parse: integer(0, 1_000_000) },
  /** LATCHKEY_LOCKOUT_FIRST_LOCK_SECONDS / --lockout-first-lock-seconds: instance default of how long a first lock lasts; 0 keeps locks until an administrator unlocks. Default 0. */
  lockoutFirstLockSeconds: { env: "LATCHKEY_LOCKOUT_FIRST_LOCK_SECONDS", fallback: "0", parse: integer(0, 366 * 86_400) },
  /** LATCHKEY_LOCKOUT_MAX_LOCK_SECONDS / --lockout-max-lock-seconds: the longest a doubled temporary lock lasts. Default 0 (as long as the first). */
  lockoutMaxLockSeconds: { env: "LATCHKEY_LOCKOUT_MAX_LOCK_SECONDS", fallback: "0", parse: integer(0, 366 * 86_400) },
  /** LATCHKEY_LOCKOUT_ESCALATION_WINDOW_SECONDS / --lockout-escalation-window-seconds: a lock within this time after a temporary one ended lasts twice as long. Default 0. */
  lockoutEscalationWindowSeconds: { env: "LATCHKEY_LOCKOUT_ESCALATION_WINDOW_SECONDS", fallback: "0", parse: integer(0, 366 * 86_400) },
  /** LATCHKEY_LOCKOUT_MAX_TEMPORARY_LOCKS / --lockout-max-temporary-locks: after this many temporary locks within the window the next is permanent; 0 never. Default 0. */
  lockoutMaxTemporaryLocks: { env: "LATCHKEY_LOCKOUT_MAX_TEMPORARY_LOCKS", fallback: "0", parse: integer(0, 100) },
  /** LATCHKEY_PASSWORD_HASH_COST / --password-hash-cost: scrypt's cost as log2 N for new password hashes (r = 8, p = 1); each step doubles time and memory. Default 15 (32 MiB); at most 16 (64 MiB). */
  passwordHashCost: { env: "LATCHKEY_PASSWORD_HASH_COST", fallback: "15", parse: integer(10, 16) },
  /** LATCHKEY_LOCK_SWEEP_INTERVAL_MS / --lock-sweep-interval-ms: how often ended temporary locks get their unlock written; readers do not wait for it. Default 10000. */
  lockSweepIntervalMs: { env: "LATCHKEY_LOCK_SWEEP_INTERVAL_MS", fallback: "10000", parse: integer(100, 3_600_000) },
  /** LATCHKEY_TRUSTED_PROXIES / --trusted-proxies: comma-separated IP addresses or CIDR ranges whose X-Forwarded-For is believed. Default "" (none: the connection's address counts). */
  trustedProxies: { env: "LATCHKEY_TRUSTED_PROXIES", fallback: "", parse: trustedProxies },
  /** LATCHKEY_SMTP_URL / --smtp-url: the mail server for unlock links, smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://. Default "" (no mail: no unlock links). */
  smtpUrl: { env: "LATCHKEY_SMTP_URL", fallback: "", parse: smtpUrl, shown: "none (no unlock links)" },
  /** LATCHKEY_SMTP_FROM / --smtp-from: the sender of the mails. Default "" (Latchkey <noreply@host of the external URL>). */
  smtpFrom: { env: "LATCHKEY_SMTP_FROM", fallback: "", parse: optionalText, shown: "Latchkey <noreply@host of the external URL>" },
  /** LATCHKEY_UNLOCK_LINK_LIFETIME / --unlock-link-lifetime: how long a mailed unlock link works. Default 15m. */
  unlockLinkLifetimeMs: { env: "LATCHKEY_UNLOCK_LINK_LIFETIME", fallback: "15m", parse: duration(60_000) },
} as const;

type Settings = typeof settings;
type SettingKey = keyof Settings;

/** Every setting, with its environment variable, CLI flag and default: each typed by what its parser returns. */
export type Config = { readonly [K in SettingKey]: ReturnType<Settings[K]["parse"]> };

const parseSetting = <K extends SettingKey>(key: K, raw: string, name: string) => settings[key].parse(raw, name) as Config[K];

function assign<K extends SettingKey>(target: { -readonly [P in SettingKey]: Config[P] }, key: K, value: Config[K]): void {
  target[key] = value;
}

/** Read by the `latchkey users` client commands, not by the server; allowed in its environment. */
export const CLIENT_SETTINGS = new Set(["LATCHKEY_TOKEN", "LATCHKEY_URL"]);

/** How each loaded configuration's settings were given (flag or variable), for messages. */
const givenNames = new WeakMap<object, ReadonlyMap<string, string>>();

/**
 * The name under which a setting was given: its flag when it came from the
 * command line, else its environment variable; so a message names what the user typed.
 */
export function settingName(config: Partial<Config>, key: keyof Config & keyof typeof settings): string {
  return givenNames.get(config)?.get(key) ?? settings[key].env;
}

const flagOf = (env: string) => `--${env.slice("LATCHKEY_".length).toLowerCase().replaceAll("_", "-")}`;

/**
 * Reads the configuration from an environment object and CLI arguments
 * (flags win over the environment). Unknown or invalid values throw a
 * ConfigError that names the setting.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): Config {
  const known = new Map<string, unknown>(Object.values(settings).map((setting) => [setting.env, setting]));
  for (const name of Object.keys(env)) {
    if (name.startsWith("LATCHKEY_") && !known.has(name) && !CLIENT_SETTINGS.has(name)) {
      throw new ConfigError(`unknown setting ${name}; known settings: ${[...known.keys()].join(", ")}`);
    }
  }
  const flags = parseFlags(argv, new Map([...known.keys()].map((name) => [flagOf(name), name])));
  // Every key is assigned below, in the order of the settings table.
  const config = {} as { -readonly [K in SettingKey]: Config[K] };
  const names = new Map<string, string>();
  for (const key of Object.keys(settings) as SettingKey[]) {
    const setting = settings[key];
    const fromFlag = flags.get(setting.env);
    const raw = fromFlag ?? env[setting.env] ?? setting.fallback;
    const name = fromFlag !== undefined ? flagOf(setting.env) : setting.env;
    names.set(key, name);
    // An unset external URL is derived below, after the port.
    assign(config, key, key === "externalUrl" && raw === "" ? "" : parseSetting(key, raw, name));
  }
  if (config.externalUrl === "") config.externalUrl = `http://localhost:${config.port}`;
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    // The one that is missing is named in the form the user used for the other.
    const flagsUsed = flags.has(settings.tlsCert.env) || flags.has(settings.tlsKey.env);
    const [cert, key] = flagsUsed ? ["--tls-cert", "--tls-key"] : [settings.tlsCert.env, settings.tlsKey.env];
    throw new ConfigError(`${cert} and ${key} go together: set both (certificate and key files) for TLS, or neither`);
  }
  if (config.requestBodyTimeoutMs < config.headersTimeoutMs) {
    const [body, headers] = [names.get("requestBodyTimeoutMs"), names.get("headersTimeoutMs")];
    throw new ConfigError(`${body} covers the headers too: it must not be shorter than ${headers}`);
  }
  const frozen: Config = Object.freeze(config);
  givenNames.set(frozen, names);
  return frozen;
}

/** `--flag value` and `--flag=value` for the settings' flags; anything else names itself in the error. */
function parseFlags(argv: readonly string[], names: Map<string, string>): Map<string, string> {
  const options = Object.fromEntries([...names.keys()].map((flag) => [flag.slice(2), { type: "string" as const }]));
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string>();
  for (const token of tokens) {
    const env = token.kind === "option" ? names.get(`--${token.name}`) : undefined;
    if (token.kind !== "option" || env === undefined || token.rawName !== `--${token.name}`) {
      throw new ConfigError(`unknown option ${argv[token.index]}; options: ${[...names.keys()].join(", ")}`);
    }
    if (token.value === undefined) throw new ConfigError(`option ${token.rawName} needs a value`);
    values.set(env, token.value);
  }
  return values;
}

/** Flag, variable and default of every setting, for --help and the README. */
export function describeSettings(): Array<{ flag: string; env: string; fallback: string }> {
  return Object.values(settings).map((setting) => ({
    flag: flagOf(setting.env),
    env: setting.env,
    fallback: "shown" in setting ? setting.shown : setting.fallback,
  }));
}
