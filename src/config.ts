import type { LogLevel } from "./lib/logger.js";

/** Every setting, with its environment variable, CLI flag and default. */
export interface Config {
  /** LATCHKEY_PORT / --port: the one port for all wires. Default 8080. */
  readonly port: number;
  /** LATCHKEY_HOST / --host: the address to listen on. Default 0.0.0.0. */
  readonly host: string;
  /** LATCHKEY_DATABASE / --database: a SQLite file path. Default ./data/latchkey.db. */
  readonly database: string;
  /** LATCHKEY_EXTERNAL_URL / --external-url: public base URL. Default http://localhost:8080. */
  readonly externalUrl: string;
  /** LATCHKEY_FIRST_INSTANCE_PAT_PATH / --first-instance-pat-path: admin token file, written once. Default ./data/admin.pat. */
  readonly firstInstancePatPath: string;
  /** LATCHKEY_LOG_LEVEL / --log-level: debug, info, warn or error. Default info. */
  readonly logLevel: LogLevel;
  /** LATCHKEY_CORS_ORIGINS / --cors-origins: "*" or a comma-separated list of origins. Default *. */
  readonly corsOrigins: "*" | readonly string[];
  /** LATCHKEY_MAX_REQUEST_BYTES / --max-request-bytes: largest request body. Default 4194304 (4 MiB). */
  readonly maxRequestBytes: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Parser<T> = (raw: string, name: string) => T;

const text: Parser<string> = (raw, name) => {
  if (raw.trim() === "") throw new ConfigError(`${name} must not be empty`);
  return raw;
};

const integer = (min: number, max: number): Parser<number> => (raw, name) => {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
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

const logLevel: Parser<LogLevel> = (raw, name) => {
  if (raw === "debug" || raw === "info" || raw === "warn" || raw === "error") return raw;
  throw new ConfigError(`${name} must be one of debug, info, warn, error, got "${raw}"`);
};

const origins: Parser<"*" | readonly string[]> = (raw, name) => {
  if (raw.trim() === "*") return "*";
  const list = raw.split(",").map((origin) => origin.trim()).filter(Boolean);
  for (const origin of list) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`${name} must be * or a comma-separated list of origins like https://console.example.com, got "${origin}"`);
    }
  }
  if (list.length === 0) throw new ConfigError(`${name} must be * or a list of origins`);
  return Object.freeze(list);
};

const settings = {
  port: { env: "LATCHKEY_PORT", fallback: "8080", parse: integer(0, 65535) },
  host: { env: "LATCHKEY_HOST", fallback: "0.0.0.0", parse: text },
  database: { env: "LATCHKEY_DATABASE", fallback: "./data/latchkey.db", parse: text },
  externalUrl: { env: "LATCHKEY_EXTERNAL_URL", fallback: "http://localhost:8080", parse: url },
  firstInstancePatPath: { env: "LATCHKEY_FIRST_INSTANCE_PAT_PATH", fallback: "./data/admin.pat", parse: text },
  logLevel: { env: "LATCHKEY_LOG_LEVEL", fallback: "info", parse: logLevel },
  corsOrigins: { env: "LATCHKEY_CORS_ORIGINS", fallback: "*", parse: origins },
  maxRequestBytes: { env: "LATCHKEY_MAX_REQUEST_BYTES", fallback: "4194304", parse: integer(1024, 1024 * 1024 * 1024) },
} as const;

const flagOf = (env: string) => `--${env.slice("LATCHKEY_".length).toLowerCase().replaceAll("_", "-")}`;

/**
 * Reads the configuration from an environment object and CLI arguments
 * (flags win over the environment). Unknown or invalid values throw a
 * ConfigError that names the setting.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): Config {
  const known = new Map<string, unknown>(Object.values(settings).map((setting) => [setting.env, setting]));
  for (const name of Object.keys(env)) {
    if (name.startsWith("LATCHKEY_") && !known.has(name)) {
      throw new ConfigError(`unknown setting ${name}; known settings: ${[...known.keys()].join(", ")}`);
    }
  }
  const flags = parseFlags(argv, new Map([...known.keys()].map((name) => [flagOf(name), name])));
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings)) {
    const fromFlag = flags.get(setting.env);
    const raw = fromFlag ?? env[setting.env] ?? setting.fallback;
    config[key] = setting.parse(raw, fromFlag !== undefined ? flagOf(setting.env) : setting.env);
  }
  return Object.freeze(config) as unknown as Config;
}

function parseFlags(argv: readonly string[], names: Map<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const env = names.get(flag);
    if (!env) throw new ConfigError(`unknown option ${arg}; options: ${[...names.keys()].join(", ")}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`option ${flag} needs a value`);
    values.set(env, value);
  }
  return values;
}

/** Flag, variable and default of every setting, for --help and the README. */
export function describeSettings(): Array<{ flag: string; env: string; fallback: string }> {
  return Object.values(settings).map((setting) => ({ flag: flagOf(setting.env), env: setting.env, fallback: setting.fallback }));
}
