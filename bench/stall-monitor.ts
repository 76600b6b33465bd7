import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

/**
 * Preloaded into the server by the benchmark (never in production): records
 * event-loop delay and writes the maximum to BENCH_STALL_FILE every
 * second, so the benchmark can check for stalls without touching the server.
 */
const file = process.env.BENCH_STALL_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  setInterval(() => writeFileSync(file, JSON.stringify({ maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 })), 1000).unref();
}
