import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeSettings } from "../../../src/config.js";

const root = new URL("../../../", import.meta.url);
const documents = [
  "README.md",
  ...readdirSync(new URL("docs/", root))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** Every settings-table row in the README and docs: `| `LATCHKEY_X` | `--x` | default | meaning |`. */
function documentedRows() {
  const rows: Array<{ file: string; env: string; flag: string; fallback: string }> = [];
  for (const file of documents) {
    for (const line of readFileSync(new URL(file, root), "utf8").split("\n")) {
      const cells = line.split("|").map((cell) => cell.trim());
      if (!/^`LATCHKEY_[A-Z_]+`$/.test(cells[1] ?? "") || !/^`--[a-z-]+`$/.test(cells[2] ?? "")) continue;
      rows.push({ file, env: cells[1]!.slice(1, -1), flag: cells[2]!.slice(1, -1), fallback: cells[3]!.replaceAll("`", "") });
    }
  }
  return rows;
}

describe("the settings tables in the README and docs", () => {
  const help = new Map(describeSettings().map((row) => [row.env, row]));
  const rows = documentedRows();

  it("document every setting", () => {
    const documented = new Set(rows.map((row) => row.env));
    expect([...help.keys()].filter((env) => !documented.has(env))).toEqual([]);
  });

  it("give each setting the flag and the default that --help prints", () => {
    for (const row of rows) {
      const setting = help.get(row.env);
      expect(setting, `${row.file}: ${row.env} is no setting`).toBeDefined();
      expect(row.flag, `${row.file}: ${row.env}`).toBe(setting!.flag);
      const shown = setting!.fallback === "" ? "none" : setting!.fallback;
      // The table may add a note after the default: "`0` (never lock)".
      expect(row.fallback === shown || row.fallback.startsWith(`${shown} `), `${row.file}: ${row.env} default "${row.fallback}", --help says "${shown}"`).toBe(
        true,
      );
    }
  });
});
