import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

/** Where `npm run build` puts the console: index.html and hashed assets. */
export const defaultConsoleDir = fileURLToPath(new URL("../../../dist/console/", import.meta.url));
const entry = fileURLToPath(new URL("../../console/main.tsx", import.meta.url));

/**
 * Bundles the browser console (src/console) into `outDir`: assets/ holds
 * content-hashed script and style files (cached for good), index.html names
 * them. Nothing is loaded from elsewhere: the page only refers to these files.
 */
export async function buildConsole(outDir: string = defaultConsoleDir): Promise<void> {
  // Built aside and moved into place: a server (or another build) never sees half a console.
  const staging = `${outDir.replace(/\/$/, "")}.building-${process.pid}-${Date.now()}`;
  const assets = join(staging, "assets");
  await mkdir(assets, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    minify: true,
    sourcemap: "linked",
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "[name]-[hash]",
    outdir: assets,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const script = outputs.find((file) => file.endsWith(".js"));
  const style = outputs.find((file) => file.endsWith(".css"));
  if (!script || !style) throw new Error(`the console build wrote no script or style: ${outputs.join(", ")}`);
  await writeFile(join(staging, "index.html"), indexHtml(script, style));
  for (let attempt = 1; ; attempt++) {
    await rm(outDir, { recursive: true, force: true });
    try {
      await rename(staging, outDir);
      return;
    } catch (error) {
      // A build running at the same time moved its copy in first: replace it (both are the same sources).
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 3 || (code !== "ENOTEMPTY" && code !== "EEXIST")) throw error;
    }
  }
}

function indexHtml(script: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Latchkey console</title>
<link rel="stylesheet" href="/ui/console/assets/${style}">
<script type="module" src="/ui/console/assets/${script}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the console…</p></div>
<noscript><p>The Latchkey console needs JavaScript.</p></noscript>
</body>
</html>
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await buildConsole(process.argv[2] ?? defaultConsoleDir);
}
