import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { Errors, ZError } from "../errors.js";
import { isStorageFailure, storageError } from "./sqlite-file.js";
import type { WriterData, WriterRequest } from "./sqlite-writer.js";

type WriterReply = { id: number; result?: unknown; error?: string; code?: string };

export type WriterLink = ReturnType<typeof startWriter>;

/**
 * Starts the writer thread (sqlite-writer.ts) and pairs each request with its
 * reply. A thread that stops fails what waits and everything after it.
 */
export function startWriter(data: WriterData, onStorageFailure: (error: Error) => void) {
  const extension = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./sqlite-writer${extension}`, import.meta.url).href;
  // Run from TypeScript sources (tsx, tests), the thread first registers tsx's loader.
  const worker =
    extension === ".ts"
      ? new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, {
          eval: true,
          workerData: data,
        })
      : new Worker(new URL(entry), { workerData: data });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  let failure: Error | undefined;
  worker.on("message", (reply: WriterReply) => {
    const entry = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error !== undefined) {
      const error = storageError(reply.error, reply.code);
      if (isStorageFailure(reply.code)) onStorageFailure(error.cause as Error);
      entry?.reject(error);
    } else entry?.resolve(reply.result);
  });
  const failAll = (error: Error) => {
    failure = error;
    for (const entry of waiting.values()) entry.reject(new ZError(Errors.Unavailable, { cause: error }));
    waiting.clear();
  };
  worker.on("error", failAll);
  worker.on("exit", () => failAll(new Error("the SQLite writer thread stopped")));
  return {
    request(message: WriterRequest): Promise<unknown> {
      if (failure) return Promise.reject(new ZError(Errors.Unavailable, { cause: failure }));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ ...message, id });
      });
    },
    async close() {
      if (!failure) await this.request({ kind: "close", id: 0 }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
