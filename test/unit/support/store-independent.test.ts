import { describe, expect, it } from "vitest";
import { storeIndependentNotice, storeIndependentSuites } from "../../support/store-independent.js";

describe("the notice for the PostgreSQL copies of store-independent suites", () => {
  it("finds the API suites that skip themselves on PostgreSQL", () => {
    const suites = storeIndependentSuites();
    expect(suites).toEqual(expect.arrayContaining(["test/api/cli.test.ts", "test/api/limits.test.ts", "test/api/tls.test.ts"]));
    expect(suites).not.toContain("test/api/user-v2.test.ts");
  });

  it("names them and says why they are skipped there", () => {
    const notice = storeIndependentNotice(["test/api/cli.test.ts"]);
    expect(notice).toContain("test/api/cli.test.ts");
    expect(notice).toMatch(/api-postgres/);
    expect(notice).toMatch(/do not depend on the store/);
    expect(notice).toMatch(/run once, in the default project/);
  });
});
