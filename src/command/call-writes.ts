/**
 * The writes of one API call, as its deadline sees them. A deadline that
 * passes while a write is with the store, or after it committed, must not
 * answer "failed" for a change that is in the log: the call then waits for
 * the write and answers with its result. A call already answered as failed
 * starts no further write.
 */
export interface CallWrites {
  /** Runs one append of the call, unless the call has already ended. */
  append<T>(run: () => Promise<T>): Promise<T>;
}

export interface CallWritesControl extends CallWrites {
  /**
   * The call's time is up: waits for appends under way and tells whether any
   * committed. When none did, the call has ended with `reason`, which later
   * appends throw instead of running.
   */
  settle(reason: unknown): Promise<boolean>;
}

export function createCallWrites(): CallWritesControl {
  // Most calls write once or not at all: the set is made on the first write.
  let underWay: Set<Promise<unknown>> | undefined;
  let committed = false;
  let ended: { reason: unknown } | undefined;
  return {
    append(run) {
      if (ended) return Promise.reject(ended.reason);
      const write = run();
      const tracked = write.then(
        () => {
          committed = true;
        },
        () => undefined,
      );
      (underWay ??= new Set()).add(tracked);
      void tracked.then(() => underWay!.delete(tracked));
      return write;
    },
    async settle(reason) {
      while (!committed && underWay !== undefined && underWay.size > 0) await Promise.all(underWay);
      if (!committed) ended = { reason };
      return committed;
    },
  };
}
