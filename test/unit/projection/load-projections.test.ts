import { describe, expect, it } from "vitest";
import { allProjections, projectionsModule } from "../../../src/projection/all-projections.js";
import { loadProjections } from "../../../src/projection/projection.js";

describe("projections named across a thread boundary", () => {
  it("resolve against the module's export, in the order named", async () => {
    const names = ["sign_in", "users"];
    const loaded = await loadProjections({ module: projectionsModule, names });
    expect(loaded.map((projection) => projection.name)).toEqual(names);
    expect(loaded[1]!.schema).toEqual(allProjections.find((projection) => projection.name === "users")!.schema);
  });

  it("refuse a name the module does not export", async () => {
    await expect(loadProjections({ module: projectionsModule, names: ["users", "nope"] })).rejects.toThrow(/exports no projection nope/);
  });

  it("refuse a module without projections", async () => {
    await expect(loadProjections({ module: new URL("../../../src/projection/statement.ts", import.meta.url).href, names: [] })).rejects.toThrow(
      /exports no projections/,
    );
  });
});
