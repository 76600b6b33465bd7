import { describe, expect, it } from "vitest";
import { connectionsTheFileLimitAllows } from "../../../src/server/open-file-limit.js";

const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units
Max processes             63422                63422                processes
Max open files            ${soft}                1048576              files
`;

describe("the connections the open-file limit allows", () => {
  it("keeps descriptors free below the soft limit", () => {
    expect(connectionsTheFileLimitAllows(limits("1024"))).toBe(1024 - 256);
    expect(connectionsTheFileLimitAllows(limits("100"))).toBe(1);
  });

  it("sets no bound where the limit is unlimited or unknown", () => {
    expect(connectionsTheFileLimitAllows(limits("unlimited"))).toBeUndefined();
    expect(connectionsTheFileLimitAllows("")).toBeUndefined();
  });
});
