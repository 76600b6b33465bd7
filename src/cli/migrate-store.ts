import { applyMigrations } from "../eventstore/open-store.js";
import { copySqliteToPostgres, type CopyResult } from "../eventstore/sqlite-to-postgres.js";
import { isPostgresUrl, parsePostgresUrl } from "../lib/postgres-url.js";
import { allProjections } from "../projection/all-projections.js";

export interface MigrateStoreOptions {
  /** The SQLite store file. */
  readonly from: string;
  /** A postgres:// URL (optionally with ?schema=name) whose store is empty. */
  readonly to: string;
  readonly progress?: (line: string) => void;
}

/**
 * Moves a single-machine install to PostgreSQL: copies the event log (positions,
 * sequences, creators, owners, times), the stream heads with their snapshots
 * and the unique claims, then rebuilds every read model. Stop the server that
 * uses the SQLite file first; start the new instances after it returned.
 */
export function migrateStore(options: MigrateStoreOptions): Promise<CopyResult> {
  if (isPostgresUrl(options.from)) throw new Error("--from must be a SQLite file, not a URL");
  if (!isPostgresUrl(options.to)) throw new Error("--to must be a postgres:// or postgresql:// URL");
  parsePostgresUrl(options.to);
  return copySqliteToPostgres({ from: options.from, to: options.to, projections: allProjections, progress: options.progress });
}

/** Applies the schema migrations of a database (SQLite path or PostgreSQL URL) and nothing else. */
export function migrateDatabase(database: string): Promise<void> {
  return applyMigrations(database, allProjections);
}

export interface CommandOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processOutput: CommandOutput = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** `migrate-store --from <file> --to <url>`; resolves to the exit code (2: usage, 1: failure). */
export async function runMigrateStoreCommand(argv: readonly string[], output: CommandOutput = processOutput): Promise<number> {
  let options: { from: string; to: string };
  try {
    options = parseMigrateStoreArgs(argv);
  } catch (error) {
    output.err(`latchkey migrate-store: ${(error as Error).message}\nusage: latchkey migrate-store --from <sqlite-file> --to <postgres-url>\n`);
    return 2;
  }
  try {
    const result = await migrateStore({ ...options, progress: (line) => output.err(`${line}\n`) });
    output.out(`copied ${result.events} events, ${result.streams} streams and ${result.uniqueClaims} unique claims; read models rebuilt\n`);
    return 0;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    output.err(`latchkey migrate-store: ${(error as Error).message}${cause instanceof Error ? `: ${cause.message}` : ""}\n`);
    return 1;
  }
}

export function parseMigrateStoreArgs(argv: readonly string[]): { from: string; to: string } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (name !== "--from" && name !== "--to") throw new Error(`unknown argument "${arg}"`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (!value) throw new Error(`${name} needs a value`);
    if (values.has(name)) throw new Error(`${name} given twice`);
    values.set(name, value);
  }
  const from = values.get("--from");
  const to = values.get("--to");
  if (!from || !to) throw new Error("both --from and --to are needed");
  return { from, to };
}
