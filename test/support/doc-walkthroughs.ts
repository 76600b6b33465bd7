import { readdirSync, readFileSync } from "node:fs";

/** One command of a walkthrough, with the output the doc shows for it (comment lines right after it). */
export interface Step {
  readonly code: string;
  /** The expected output, "…" standing for anything; undefined when the doc shows none. */
  readonly expected?: string;
}

/** A ```js block the doc asks to save under a name (`<!-- file: token.mjs -->`), written before the next steps run. */
export interface SavedFile {
  readonly name: string;
  readonly content: string;
}

/** The shell blocks under one heading of one document: run in one shell, in order. */
export interface Walkthrough {
  readonly file: string;
  readonly heading: string;
  readonly parts: ReadonlyArray<{ readonly steps: readonly Step[] } | { readonly saved: SavedFile }>;
}

export interface SkippedBlock {
  readonly file: string;
  readonly heading: string;
  readonly reason: string;
}

const NOT_RUN = /^<!-- not run: (.+) -->$/;
const SAVE_AS = /^<!-- file: ([\w.-]+) -->$/;

/** The README and every page under docs/, relative to the repository root. */
export function documentFiles(root: URL): string[] {
  const docs = readdirSync(new URL("docs/", root))
    .filter((name) => name.endsWith(".md"))
    .sort();
  return ["README.md", ...docs.map((name) => `docs/${name}`)];
}

/**
 * Every ```sh block of a document, grouped by heading. A block right after
 * `<!-- not run: reason -->` is skipped; a ```js block right after
 * `<!-- file: name -->` is saved under that name.
 */
export function extractWalkthroughs(file: string, markdown: string): { walkthroughs: Walkthrough[]; skipped: SkippedBlock[] } {
  const lines = markdown.split("\n");
  const byHeading = new Map<string, Walkthrough["parts"][number][]>();
  const skipped: SkippedBlock[] = [];
  let heading = "(top)";
  let marker = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) {
      if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, "");
      if (line.trim() !== "") marker = line.trim();
      continue;
    }
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const language = fence[1];
    const notRun = NOT_RUN.exec(marker);
    const saveAs = SAVE_AS.exec(marker);
    marker = "";
    const parts = byHeading.get(heading) ?? [];
    if (language === "sh") {
      if (notRun) skipped.push({ file, heading, reason: notRun[1]! });
      else parts.push({ steps: stepsOf(body) });
    } else if (saveAs) {
      parts.push({ saved: { name: saveAs[1]!, content: `${body.join("\n")}\n` } });
    } else {
      continue;
    }
    byHeading.set(heading, parts);
  }
  const walkthroughs = [...byHeading].filter(([, parts]) => parts.some((part) => "steps" in part)).map(([heading, parts]) => ({ file, heading, parts }));
  return { walkthroughs, skipped };
}

/**
 * Splits a shell block into commands and their shown output: comment lines
 * directly under a command are its output; a comment after a blank line or at
 * the top is an explanation.
 */
export function stepsOf(lines: readonly string[]): Step[] {
  const steps: Step[] = [];
  let code: string[] = [];
  let expected: string[] | undefined;
  let afterCode = false;
  const flush = () => {
    if (code.length) steps.push({ code: code.join("\n"), expected: expected?.join("\n") });
    code = [];
    expected = undefined;
  };
  for (const line of lines) {
    if (line.trim() === "") {
      afterCode = false;
      continue;
    }
    if (/^\s*#/.test(line)) {
      if (afterCode) (expected ??= []).push(line.replace(/^\s*# ?/, ""));
      continue;
    }
    if (expected) flush();
    code.push(line);
    afterCode = true;
  }
  flush();
  return steps;
}

/**
 * Does the output match what the doc shows? "…" in a line stands for any text, a line of its own
 * "…" for any number of lines; outer white space, empty lines and runs of spaces (table columns)
 * are not significant.
 */
export function matchesShown(actual: string, expected: string): boolean {
  const normalise = (text: string) =>
    text
      .split("\n")
      .map((line) => line.trim().replace(/ {2,}/g, " "))
      .filter(Boolean);
  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = normalise(expected)
    .map((line) => (line === "…" ? "(?:[^\\n]*\\n)*?" : `${line.split("…").map(escapeRegExp).join("[\\s\\S]*?")}\\n`))
    .join("");
  return new RegExp(`^${pattern}$`).test(
    normalise(actual)
      .map((line) => `${line}\n`)
      .join(""),
  );
}

export function readDocument(root: URL, file: string): string {
  return readFileSync(new URL(file, root), "utf8");
}
