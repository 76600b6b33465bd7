import { openSqliteFile } from "./sqlite-file.js";

/** Raised when another process holds the SQLite database; the message names the file. */
export class StoreInUseError extends Error {
  override name = "StoreInUseError";
}

export interface SqliteLock {
  /** The lock file beside the database. */
  readonly path: string;
  release(): void;
}

/** The lock file of a SQLite database: beside it, the database's name plus `.lock`. */
export const lockFileOf = (databasePath: string) => `${databasePath}.lock`;

/**
 * Makes this process the only one working on a SQLite database. The caches
 * of a running server assume that every write passes through it, so a second
 * process on the same file would serve stale answers.
 *
 * The lock is SQLite's own exclusive lock on a small file beside the
 * database, held by an open transaction. It is an OS file lock, so it ends
 * with the process, kill -9 included; the lock file stays and is reused. The
 * database itself is not locked: the process opens it on two connections
 * (reads here, writes on the writer thread).
 */
export function lockSqliteDatabase(databasePath: string): SqliteLock {
  const path = lockFileOf(databasePath);
  const db = openSqliteFile(path, { timeout: 0 });
  try {
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new StoreInUseError(
        `another Latchkey process holds the SQLite database ${databasePath} (lock file ${path}); ` +
          "one process at a time works on a SQLite file: stop the other one first, or use PostgreSQL to run several instances",
      );
    }
    throw new Error(
      `cannot lock the SQLite database ${databasePath} with its lock file ${path} (${(error as { code?: string }).code}: ${(error as Error).message}); check LATCHKEY_DATABASE / --database and that the folder can be written`,
      { cause: error },
    );
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      db.close(); // rolls the transaction back and drops the lock
    },
  };
}
