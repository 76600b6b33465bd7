import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Errors, ZError } from "../errors.js";

/** The setting a SQLite path comes from, for messages. */
const SETTING = "LATCHKEY_DATABASE / --database";

/**
 * Opens a SQLite file, creating its folder. SQLite's own message ("unable to
 * open database file") names neither the file nor the setting; this one does.
 */
export function openSqliteFile(path: string, options?: Database.Options): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return new Database(path, options);
  } catch (error) {
    const reason = (error as { code?: string }).code ? `${(error as { code: string }).code}: ${(error as Error).message}` : String(error);
    throw new Error(`cannot open the SQLite database file ${path} (${reason}); check ${SETTING}, the folder and its permissions`, { cause: error });
  }
}

/** SQLite result codes that say the storage cannot take writes: permissions, a read-only file system, a full disk, I/O. */
export function isStorageFailure(code: string | undefined): boolean {
  return code !== undefined && /^SQLITE_(READONLY|IOERR|FULL|CANTOPEN|PERM)/.test(code);
}

/** An error's SQLite code, when it has one. */
export function sqliteCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/** A write the storage refused is UNAVAILABLE (retry elsewhere or later); anything else INTERNAL. The cause keeps SQLite's code for the log. */
export function storageError(message: string, code: string | undefined): ZError {
  const cause = new Error(code ? `${code}: ${message}` : message);
  return new ZError(isStorageFailure(code) ? Errors.Unavailable : Errors.Internal, { cause });
}
