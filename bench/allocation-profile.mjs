import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

/**
 * Preloaded into the server by `ALLOC_PROF=1 npx tsx bench/cpu-per-call.ts`
 * (never in production): V8's sampling heap profiler, counting the objects
 * that garbage collection has already freed too (`--heap-prof` keeps only
 * the live ones, which hides per-call garbage). The first SIGUSR2 starts
 * sampling, the second writes ALLOC_PROF_FILE (a .heapprofile that Chrome's
 * devtools open; bench/allocation-summary.ts sums it).
 */
const file = process.env.ALLOC_PROF_FILE;
if (file) {
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post("HeapProfiler.enable");
  let sampling = false;
  process.on("SIGUSR2", async () => {
    if (!sampling) {
      sampling = true;
      await post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      return;
    }
    const { profile } = await post("HeapProfiler.stopSampling");
    writeFileSync(file, JSON.stringify(profile));
  });
}
