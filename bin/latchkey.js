#!/usr/bin/env node
// The `latchkey` command. The sources are TypeScript, run through tsx's loader.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli/main.ts");
// Exit with the code at once: after a failed start, nothing left open (a writer thread, a pool) may keep the process alive.
process.exit(await runCli(process.argv.slice(2), process.env));
