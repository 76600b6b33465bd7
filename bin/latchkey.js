#!/usr/bin/env node
// The `latchkey` command. The sources are TypeScript, run through tsx's loader.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2), process.env);
