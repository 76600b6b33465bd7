import { parentPort, workerData } from "node:worker_threads";
import { loadProjections, type ProjectionSource } from "../projection/projection.js";
import { createSqliteAppender, type WriterAppend } from "./sqlite-appender.js";
import { openDatabase, probeWrites } from "./sqlite-database.js";
import { sqliteCodeOf } from "./sqlite-file.js";

/**
 * The SQLite writer thread. Commits wait for fsync (synchronous=FULL); doing
 * them here keeps the event loop serving requests while the disk works.
 */
export type WriterRequest =
  | { readonly kind: "append"; readonly id: number; readonly batch: ReadonlyArray<readonly WriterAppend[]>; readonly now: number }
  | { readonly kind: "rebuild"; readonly id: number }
  | { readonly kind: "probe"; readonly id: number }
  | { readonly kind: "close"; readonly id: number };

export interface WriterData {
  readonly path: string;
  /** Projections travel as a module and names: functions cannot cross the thread boundary. */
  readonly projections: ProjectionSource;
}

const data = workerData as WriterData;
// Requests posted meanwhile wait in the port until the listener below is attached.
const projections = await loadProjections(data.projections);
const db = openDatabase(data.path);
const appender = createSqliteAppender(db, projections);

parentPort!.on("message", (request: WriterRequest) => {
  try {
    switch (request.kind) {
      case "append":
        parentPort!.postMessage({ id: request.id, result: appender.appendBatch(request.batch, request.now) });
        break;
      case "rebuild":
        appender.rebuildProjections();
        parentPort!.postMessage({ id: request.id, result: null });
        break;
      case "probe":
        probeWrites(db);
        parentPort!.postMessage({ id: request.id, result: null });
        break;
      case "close":
        db.close();
        parentPort!.postMessage({ id: request.id, result: null });
        parentPort!.close();
        break;
    }
  } catch (error) {
    parentPort!.postMessage({
      id: request.id,
      error: String(sqliteCodeOf(error) ? (error as Error).message : ((error as Error)?.stack ?? error)),
      code: sqliteCodeOf(error),
    });
  }
});
