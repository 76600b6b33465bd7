import { describe, expect, it } from "vitest";
import { UsageError, parseArgs } from "../../../src/cli/args.js";

describe("parseArgs", () => {
  it("separates words, the command's own options and settings", () => {
    const parsed = parseArgs(["users", "--port", "9000", "lock", "42", "--token=abc", "--local", "--log-level=debug"], ["--token", "--url"], ["--local"]);
    expect(parsed.positionals).toEqual(["users", "lock", "42"]);
    expect([...parsed.options]).toEqual([
      ["--token", "abc"],
      ["--local", ""],
    ]);
    expect(parsed.configArgs).toEqual(["--port", "9000", "--log-level=debug"]);
    expect(parsed.help).toBe(false);
  });

  it("recognises --help and -h anywhere", () => {
    expect(parseArgs(["setup", "-h"], []).help).toBe(true);
    expect(parseArgs(["--help"], []).help).toBe(true);
  });

  it("refuses a switch with a value and an option without one", () => {
    expect(() => parseArgs(["--local=yes"], [], ["--local"])).toThrow(UsageError);
    expect(() => parseArgs(["--token"], ["--token"])).toThrow(/--token needs a value/);
  });

  it("recognises --version anywhere, and keeps it out of the settings", () => {
    const parsed = parseArgs(["users", "--version", "--port", "9000"], []);
    expect(parsed.version).toBe(true);
    expect(parsed.configArgs).toEqual(["--port", "9000"]);
    expect(parseArgs(["start"], []).version).toBe(false);
  });
});
