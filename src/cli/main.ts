import { readFileSync } from "node:fs";
import { createApp } from "../app.js";
import { ConfigError, describeSettings, loadConfig, type Config } from "../config.js";
import { createLogger } from "../lib/logger.js";
import { describeStartupError, serve } from "../main.js";
import { UsageError, parseArgs } from "./args.js";
import { migrateDatabase, runMigrateStoreCommand } from "./migrate-store.js";
import { openConfiguredStore } from "./store.js";
import { runAppsCommand } from "./apps.js";
import { runUsersCommand } from "./users.js";
import { runLockoutCommand } from "./lockout.js";

type Env = Readonly<Record<string, string | undefined>>;

/** One option of a command, for --help: `--out <file>` and what it does. */
type OptionHelp = readonly [name: string, meaning: string];

interface Usage {
  readonly usage: string;
  readonly details: string;
  readonly options?: readonly OptionHelp[];
  /** The settings this command reads, by variable ("all" for the server). */
  readonly settings: "all" | readonly string[];
}

interface Command extends Usage {
  readonly summary: string;
  /** The command's own options; every other flag is a setting. */
  readonly valued?: readonly string[];
  readonly switches?: readonly string[];
  /** Actions with their own usage (`users lock --help`). */
  readonly actions?: Readonly<Record<string, Usage>>;
}

const STORE_SETTINGS = ["LATCHKEY_DATABASE", "LATCHKEY_DB_POOL_SIZE", "LATCHKEY_DB_STATEMENT_TIMEOUT_MS"];
// Remote users commands find the server at the external URL, which follows the port unless set.
const CLIENT_SETTINGS = ["LATCHKEY_EXTERNAL_URL", "LATCHKEY_PORT", "LATCHKEY_FIRST_INSTANCE_PAT_PATH"];
const CLIENT_OPTIONS: readonly OptionHelp[] = [
  ["--url <url>", "the server's base URL (else LATCHKEY_URL, else LATCHKEY_EXTERNAL_URL)"],
  ["--token <token>", "the token (else LATCHKEY_TOKEN, else the admin token file LATCHKEY_FIRST_INSTANCE_PAT_PATH)"],
];
const LOCAL_OPTIONS: readonly OptionHelp[] = [
  ["--local", "work on the store directly, acting as SYSTEM; only while the server is stopped (refused while a server holds a SQLite file)"],
  ["--json", "print JSON instead of text"],
];

const lockOrUnlock = (action: "lock" | "unlock"): Usage => ({
  usage: `latchkey users ${action} <user-id> [--url <url>] [--token <token>] [--local] [--json]`,
  details: `${action === "lock" ? "Locks an active user (LockUser)" : "Unlocks a locked user (UnlockUser)"}; prints the new sequence.`,
  options: [...CLIENT_OPTIONS, ...LOCAL_OPTIONS],
  settings: [...CLIENT_SETTINGS, ...STORE_SETTINGS],
});

const usersActions: Record<string, Usage> = {
  list: {
    usage: "latchkey users list [--url <url>] [--token <token>] [--local] [--json]",
    details: "Lists the users of the caller's organisation (id, user name, state, organisation).",
    options: [...CLIENT_OPTIONS, ...LOCAL_OPTIONS],
    settings: [...CLIENT_SETTINGS, ...STORE_SETTINGS],
  },
  lock: lockOrUnlock("lock"),
  unlock: lockOrUnlock("unlock"),
  "add-key": {
    usage: "latchkey users add-key <user-id> --out <file> [--url <url>] [--token <token>] [--json]",
    details: [
      "Adds a key to a machine user (AddMachineKey) and writes its key file, ZITADEL's JSON that its SDKs read,",
      "with owner-only permissions. An existing file is never overwritten.",
    ].join("\n"),
    options: [["--out <file>", "where to write the key file (must not exist)"], ...CLIENT_OPTIONS, ["--json", "print JSON instead of text"]],
    settings: CLIENT_SETTINGS,
  },
};

const ORG_OPTION: OptionHelp = ["--org <org-id>", "act in this organisation (x-zitadel-orgid) instead of the caller's own"];
const lockoutAction = (usage: string, details: string, extra: readonly OptionHelp[] = []): Usage => ({
  usage: `latchkey lockout ${usage} [--org <org-id>] [--url <url>] [--token <token>]`,
  details,
  options: [...extra, ORG_OPTION, ...CLIENT_OPTIONS],
  settings: CLIENT_SETTINGS,
});

const lockoutActions: Record<string, Usage> = {
  schedule: lockoutAction("schedule", "Prints the lockout schedule in effect for the organisation (GetLockoutSchedule)."),
  "set-schedule": lockoutAction("set-schedule --schedule <json>", "Gives the organisation a lockout schedule of its own (SetLockoutSchedule).", [
    ["--schedule <json>", 'the schedule, e.g. \'{"firstLockSeconds":300,"maxLockSeconds":3600}\''],
  ]),
  "reset-schedule": lockoutAction("reset-schedule", "Removes the organisation's own schedule; the instance default applies (ResetLockoutScheduleToDefault)."),
  blocks: lockoutAction("blocks [<user-id>]", "Lists the client addresses blocked for the organisation's users, or one user's (ListAddressBlocks)."),
  unblock: lockoutAction("unblock <user-id> <address>", "Removes the block of one address for one user (RemoveAddressBlock)."),
  "send-unlock-link": lockoutAction("send-unlock-link <user-id>", "Mails a locked user a link that unlocks it once (SendUnlockLink)."),
};

const appsActions: Record<string, Usage> = {
  add: {
    usage:
      "latchkey apps add (--project <name> | --project-id <id>) --name <name> --type web|user-agent|native [--auth-method basic|post|none] [--redirect-uris <uri,...>] [--post-logout-uris <uri,...>] [--dev-mode] [--url <url>] [--token <token>] [--local] [--json]",
    details: [
      "Registers an OIDC application (AddOIDCApp) in a new project (AddProject) or an existing one, and prints",
      "its client id; for auth method basic or post also its client secret, shown only this once.",
      "The auth method defaults to basic for web applications and none for the others.",
    ].join("\n"),
    options: [
      ["--project <name>", "create a project of this name for the application"],
      ["--project-id <id>", "add the application to this existing project instead"],
      ["--name <name>", "the application's name (unique in its project)"],
      ["--type <type>", "web, user-agent (a browser app) or native"],
      ["--auth-method <method>", "basic, post (both get a secret) or none (public client, PKCE)"],
      ["--redirect-uris <uri,...>", "where the provider may send the browser back, comma-separated"],
      ["--post-logout-uris <uri,...>", "where it may send the browser after logout, comma-separated"],
      ["--dev-mode", "allow plain http redirect URIs on any host"],
      ...CLIENT_OPTIONS,
      ["--local", "work on the store directly, acting as SYSTEM in the default organisation; only while the server is stopped"],
      ["--json", "print JSON instead of text"],
    ],
    settings: [...CLIENT_SETTINGS, ...STORE_SETTINGS],
  },
};

const commands: Record<string, Command> = {
  start: {
    summary: "serve every wire on one port (the default command)",
    usage: "latchkey [start] [settings]",
    details:
      "Opens the store (migrating it), creates the first instance on an empty database, and serves\nuntil SIGTERM or SIGINT, then shuts down gracefully.",
    settings: "all",
  },
  setup: {
    summary: "create the first instance and its admin, without serving",
    usage: "latchkey setup [settings]",
    details:
      "Migrates the store and, on an empty database, creates the first instance, its default organisation\nand the admin machine user, writing the admin's token to LATCHKEY_FIRST_INSTANCE_PAT_PATH.\nDoes nothing more when the instance exists.",
    settings: "all",
  },
  migrate: {
    summary: "apply the store's schema migrations only",
    usage: "latchkey migrate [settings]",
    details: "Brings the schema of LATCHKEY_DATABASE up to date and exits; no data is written.",
    settings: STORE_SETTINGS,
  },
  "migrate-store": {
    summary: "copy the event log from SQLite to PostgreSQL",
    usage: "latchkey migrate-store --from <sqlite-file> --to <postgres-url>",
    details: "Copies every event from a SQLite store into an empty PostgreSQL store and rebuilds its read models.",
    options: [
      ["--from <sqlite-file>", "the SQLite store to copy (stop its server first)"],
      ["--to <postgres-url>", "an empty PostgreSQL store, postgres://user:pass@host:5432/db[?schema=name]"],
    ],
    settings: [],
    valued: ["--from", "--to"],
  },
  "rebuild-projections": {
    summary: "rebuild every read model from the event log",
    usage: "latchkey rebuild-projections [settings]",
    details: "Empties the read-model tables and replays the event log into them. Run it with the server stopped.",
    settings: STORE_SETTINGS,
  },
  users: {
    summary: "list, lock or unlock users; add a machine key",
    usage: "latchkey users list|lock|unlock|add-key ...",
    details: [
      "By default calls the running server's REST API at --url (else LATCHKEY_URL, else LATCHKEY_EXTERNAL_URL)",
      "with the token from --token (else LATCHKEY_TOKEN, else the admin token file LATCHKEY_FIRST_INSTANCE_PAT_PATH).",
      "Run `latchkey users <action> --help` for an action's options.",
      "",
      ...Object.values(usersActions).map((action) => `  ${action.usage}`),
    ].join("\n"),
    settings: [],
    valued: ["--url", "--token", "--out"],
    switches: ["--local", "--json"],
    actions: usersActions,
  },
  lockout: {
    summary: "lockout schedule, address blocks and unlock links",
    usage: "latchkey lockout schedule|set-schedule|reset-schedule|blocks|unblock|send-unlock-link ...",
    details: [
      "Calls the running server's REST API (latchkey.v1.LockoutService) like `latchkey users`, and prints its JSON answer.",
      "Run `latchkey lockout <action> --help` for an action's options.",
      "",
      ...Object.values(lockoutActions).map((action) => `  ${action.usage}`),
    ].join("\n"),
    settings: [],
    valued: ["--url", "--token", "--org", "--schedule"],
    actions: lockoutActions,
  },
  apps: {
    summary: "register OIDC applications",
    usage: "latchkey apps add ...",
    details: [
      "Calls the running server's REST API like `latchkey users`, or the store with --local.",
      "Run `latchkey apps add --help` for its options.",
      "",
      ...Object.values(appsActions).map((action) => `  ${action.usage}`),
    ].join("\n"),
    settings: [],
    valued: ["--url", "--token", "--project", "--project-id", "--name", "--type", "--auth-method", "--redirect-uris", "--post-logout-uris"],
    switches: ["--local", "--json", "--dev-mode"],
    actions: appsActions,
  },
};

/** Where a command writes: its result to `out`, messages and logs to `err`. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Runs one command line; resolves to the exit code (the server itself never resolves). */
export async function runCli(argv: readonly string[], env: Env, io: CliOutput = processOutput): Promise<number> {
  const { out, err } = io;
  let name = "start";
  try {
    // First pass: find the command word among every command's options and the settings.
    const all = Object.values(commands);
    const words = parseArgs(
      argv,
      all.flatMap((c) => c.valued ?? []),
      all.flatMap((c) => c.switches ?? []),
    ).positionals;
    if (words[0] !== undefined && !(words[0] in commands)) {
      err(`latchkey: unknown command "${words[0]}"\n\n${overview()}`);
      return 2;
    }
    name = words[0] ?? "start";
    const command = commands[name]!;
    const args = parseArgs(argv, command.valued ?? [], command.switches ?? []);
    if (args.version) {
      out(`latchkey ${packageVersion()}\n`);
      return 0;
    }
    if (args.help) {
      const action = command.actions?.[args.positionals[1] ?? ""];
      out(words[0] === undefined ? overview() : help(action ? { ...action, summary: "" } : command));
      return 0;
    }
    const config = loadConfig(env, args.configArgs);
    return await run(name, config, args.positionals.slice(words[0] === undefined ? 0 : 1), args.options, env, io);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`latchkey ${name}: ${error.message}\nusage: ${commands[name]!.usage}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      err(`latchkey: invalid configuration: ${error.message}\n`);
      return 1;
    }
    err(name === "start" ? `latchkey: ${describeStartupError(error)}\n` : `latchkey ${name}: ${(error as Error)?.message ?? error}\n`);
    return 1;
  }
}

async function run(name: string, config: Config, positionals: string[], options: Map<string, string>, env: Env, io: CliOutput) {
  const { out, err } = io;
  const logger = createLogger(config.logLevel, (line) => err(line));
  switch (name) {
    case "start":
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      await serve(config, createLogger(config.logLevel));
      return new Promise<number>(() => undefined); // serves until a signal ends the process
    case "setup": {
      const app = await createApp(config, { logger });
      await app.close();
      const created = app.instance.created;
      out(
        created
          ? `created instance ${app.instance.instanceId} with organisation ${app.instance.defaultOrgId}; admin token written to ${created.patPath}` +
              (created.adminPasswordPath ? `; the console's "admin" password written to ${created.adminPasswordPath}\n` : "\n")
          : `instance ${app.instance.instanceId} already exists; nothing to do\n`,
      );
      return 0;
    }
    case "migrate":
      await migrateDatabase(config.database);
      out("schema is up to date\n");
      return 0;
    case "migrate-store": {
      const from = options.get("--from");
      const to = options.get("--to");
      if (!from || !to) throw new UsageError("migrate-store needs --from <sqlite-file> and --to <postgres-url>");
      return runMigrateStoreCommand(["--from", from, "--to", to], io);
    }
    case "rebuild-projections": {
      const store = await openConfiguredStore(config);
      try {
        await store.rebuildProjections();
      } finally {
        await store.close();
      }
      out("read models rebuilt from the event log\n");
      return 0;
    }
    case "users":
      return runUsersCommand(config, {
        action: positionals[0],
        userId: positionals[1],
        local: options.has("--local"),
        json: options.has("--json"),
        token: options.get("--token"),
        url: options.get("--url"),
        outFile: options.get("--out"),
        env,
        out,
      });
    case "lockout":
      return runLockoutCommand(config, {
        action: positionals[0],
        args: positionals.slice(1),
        schedule: options.get("--schedule"),
        orgId: options.get("--org"),
        token: options.get("--token"),
        url: options.get("--url"),
        env,
        out,
      });
    case "apps":
      if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
      return runAppsCommand(config, {
        action: positionals[0],
        project: options.get("--project"),
        projectId: options.get("--project-id"),
        name: options.get("--name"),
        type: options.get("--type"),
        authMethod: options.get("--auth-method"),
        redirectUris: options.get("--redirect-uris"),
        postLogoutUris: options.get("--post-logout-uris"),
        devMode: options.has("--dev-mode"),
        local: options.has("--local"),
        json: options.has("--json"),
        token: options.get("--token"),
        url: options.get("--url"),
        env,
        out,
      });
    default:
      throw new UsageError(`unknown command ${name}`);
  }
}

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    "usage: latchkey [command] [settings]",
    "       latchkey --version",
    "",
    "commands:",
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    "",
    "Run `latchkey <command> --help` for a command's options.",
    settingsHelp("all"),
  ].join("\n");
}

function help(usage: Usage & { summary: string }): string {
  const options = usage.options ?? [];
  const width = Math.max(0, ...options.map(([name]) => name.length));
  const optionLines = options.length ? ["", "options:", ...options.map(([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`)] : [];
  return [`usage: ${usage.usage}`, "", ...(usage.summary ? [`${usage.summary}.`] : []), usage.details, ...optionLines, settingsHelp(usage.settings)].join("\n");
}

function settingsHelp(which: "all" | readonly string[]): string {
  const rows = describeSettings().filter((row) => which === "all" || which.includes(row.env));
  if (rows.length === 0) return "";
  const width = Math.max(...rows.map((row) => row.flag.length));
  return [
    "",
    `${which === "all" ? "settings" : "settings it reads"} (flag, environment variable, default; flags win over the environment):`,
    ...rows.map((row) => `  ${row.flag.padEnd(width)}  ${row.env} (default: ${row.fallback === "" ? "none" : row.fallback})`),
    "",
  ].join("\n");
}

/** The version in package.json, two folders up from this file (src/cli). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
