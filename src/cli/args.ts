import { parseArgs as tokenize } from "node:util";

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

type Parsed = { positionals: string[]; options: Map<string, string>; configArgs: string[]; help: boolean; version: boolean };

/**
 * Splits argv into positionals, the command's own options (`valued` take a
 * value, `switches` do not) and the remaining configuration flags.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const parsed: Parsed = { positionals: [], options: new Map(), configArgs: [], help: false, version: false };
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const name of valued) options[name.slice(2)] = { type: "string" };
  for (const name of switches) options[name.slice(2)] = { type: "boolean" };
  collect(parsed, [...argv], options);
  return parsed;
}

function collect(parsed: Parsed, argv: string[], options: Record<string, { type: "string" | "boolean" }>): void {
  const { tokens } = tokenize({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  let done = -1; // the last argv index already taken (a configuration flag's value, or one "-abc" group)
  for (const token of tokens) {
    if (token.index <= done) continue;
    done = token.index;
    const arg = argv[token.index] as string;
    if (token.kind === "option-terminator") {
      // "--" is no terminator here: it goes to loadConfig like any unknown flag, and parsing goes on after its value.
      parsed.configArgs.push(...argv.slice(token.index, token.index + 2));
      collect(parsed, argv.slice(token.index + 2), options);
      return;
    }
    if (token.kind === "positional" && !arg.startsWith("-")) {
      parsed.positionals.push(arg);
    } else if (arg === "--help" || arg === "-h") {
      parsed.help = true;
    } else if (arg === "--version") {
      parsed.version = true;
    } else if (token.kind === "option" && token.rawName === arg.split("=", 1)[0] && token.name in options) {
      const name = token.rawName;
      if (options[token.name]?.type === "boolean") {
        if (token.inlineValue) throw new UsageError(`option ${name} takes no value`);
        parsed.options.set(name, "");
      } else {
        if (token.value === undefined) throw new UsageError(`option ${name} needs a value`);
        parsed.options.set(name, token.value);
        if (!token.inlineValue) done = token.index + 1;
      }
    } else {
      // A configuration flag: keep it with its value for loadConfig.
      parsed.configArgs.push(arg);
      if (!arg.includes("=") && token.index + 1 < argv.length) {
        parsed.configArgs.push(argv[token.index + 1] as string);
        done = token.index + 1;
      }
    }
  }
}
