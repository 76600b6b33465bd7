/** What a command line says once the command's own options are taken out. */
export interface ParsedArgs {
  /** Words that are not options: the command, its action, its arguments. */
  readonly positionals: string[];
  /** The command's own options that were given (value "" for switches). */
  readonly options: Map<string, string>;
  /** Everything else: configuration flags for loadConfig, which rejects unknown ones. */
  readonly configArgs: string[];
  readonly help: boolean;
  /** `--version` was given. */
  readonly version: boolean;
}

export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Splits argv into positionals, the command's own options (`valued` take a
 * value, `switches` do not) and the remaining configuration flags.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string>();
  const configArgs: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--version") {
      version = true;
      continue;
    }
    if (!arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (switches.includes(name)) {
      if (eq >= 0) throw new UsageError(`option ${name} takes no value`);
      options.set(name, "");
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option ${name} needs a value`);
      options.set(name, value);
    } else {
      // A configuration flag: keep it with its value for loadConfig.
      configArgs.push(arg);
      if (eq < 0 && i + 1 < argv.length) configArgs.push(argv[++i]!);
    }
  }
  return { positionals, options, configArgs, help, version };
}
