import { buildConsole } from "../../src/server/console/build-console.js";

/** Global setup: the console bundle the test servers serve (dist/console), built from this checkout. */
export default async function setup() {
  await buildConsole();
}
