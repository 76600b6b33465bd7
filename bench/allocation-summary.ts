import { readFileSync } from "node:fs";

/**
 * `npx tsx bench/allocation-summary.ts <file.heapprofile> [stacks]`: bytes
 * allocated by file and by function in a profile written by
 * bench/allocation-profile.mjs, and optionally the heaviest call stacks
 * (five frames deep).
 */
interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}
const [file, stackCount] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file!, "utf8")) as { head: Node };
const byFile = new Map<string, number>();
const byFunction = new Map<string, number>();
const byStack = new Map<string, number>();
let total = 0;
const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
const walk = (node: Node, path: string[]) => {
  const frame = node.callFrame;
  const where = frame.url.replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*?\/(dist|src)\//, "$1/");
  const name = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
  const stack = [name, ...path].slice(0, 5);
  total += node.selfSize;
  add(byFile, where || frame.functionName, node.selfSize);
  add(byFunction, name, node.selfSize);
  if (node.selfSize) add(byStack, stack.join("\n         < "), node.selfSize);
  for (const child of node.children) walk(child, stack);
};
walk(profile.head, []);
const top = (map: Map<string, number>, count: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${name}`)
    .join("\n");
console.log(`${(total / 1e6).toFixed(1)} MB sampled\n\nby file\n${top(byFile, 25)}\n\nby function\n${top(byFunction, 50)}`);
if (stackCount) console.log(`\nby stack\n${top(byStack, Number(stackCount))}`);
