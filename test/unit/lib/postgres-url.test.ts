import { describe, expect, it } from "vitest";
import { isPostgresUrl, parsePostgresUrl } from "../../../src/lib/postgres-url.js";

describe("postgres URLs", () => {
  it("tells URLs from SQLite paths", () => {
    expect(isPostgresUrl("postgres://h/db")).toBe(true);
    expect(isPostgresUrl("postgresql://h/db")).toBe(true);
    expect(isPostgresUrl("./data/postgres://x.db")).toBe(false);
    expect(isPostgresUrl("./data/latchkey.db")).toBe(false);
  });

  it.each([
    ["postgres://u@h:5432/db?schema=tenant_a", "tenant_a"],
    ["postgres://u@h:5432/db?search_path=tenant_b", "tenant_b"],
    ["postgres://u@h:5432/db?options=-c%20search_path%3Dtenant_c", "tenant_c"],
    ["postgres://u@h:5432/db", undefined],
  ])("reads the schema of %s", (url, schema) => {
    expect(parsePostgresUrl(url).schema).toBe(schema);
  });

  it("hands the schema to the server as a search_path option, keeping other options", () => {
    const target = parsePostgresUrl("postgres://u@h/db?options=-c%20work_mem%3D4MB&schema=s1&application_name=lk");
    const url = new URL(target.connectionString);
    expect(url.searchParams.get("schema")).toBeNull();
    expect(url.searchParams.get("options")).toBe("-c work_mem=4MB -c search_path=s1");
    expect(url.searchParams.get("application_name")).toBe("lk");
  });
});
