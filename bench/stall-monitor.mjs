import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

/**
 * Preloaded into the server by the benchmark (never in production): records
 * event-loop delay and writes the maximum to BENCH_STALL_FILE every
 * second, so the benchmark can check for stalls without touching the server.
 * SIGUSR2 starts a new measurement (start-up compiles modules in long tasks).
 */
const file = process.env.BENCH_STALL_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  process.on("SIGUSR2", () => histogram.reset());
  setInterval(() => writeFileSync(file, JSON.stringify({ maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 })), 1000).unref();
}
