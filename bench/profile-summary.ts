import { readFileSync } from "node:fs";

/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [from-µs to-µs]`: self
 * time of a `--cpu-prof` profile by file and by function, optionally only
 * within a window of the monotonic clock (bench/cpu-per-call.ts prints the
 * window it measured).
 */
interface Profile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}
const [file, from, to] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, "utf8")) as Profile;
const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
const byFile = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
let at = profile.startTime;
const add = (map: Map<string, number>, key: string, micros: number) => map.set(key, (map.get(key) ?? 0) + micros);
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  at += delta;
  if (from && (at < Number(from) || at > Number(to))) return;
  const frame = frames.get(id)!;
  const where = frame.url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*?\/(dist|src)\//, "$1/");
  total += delta;
  add(byFile, where || frame.functionName, delta);
  add(byFunction, `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`, delta);
});
const top = (map: Map<string, number>, count: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`)
    .join("\n");
console.log(`${(total / 1e6).toFixed(2)} s sampled\n\nby file\n${top(byFile, 30)}\n\nby function\n${top(byFunction, 50)}`);
