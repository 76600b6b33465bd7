import { describe, expect, it } from "vitest";
import { withoutCredentials } from "../../../src/main.js";

describe("the database as the listening line logs it", () => {
  it("keeps the schema and the other harmless parameters", () => {
    expect(withoutCredentials("postgres://latchkey:s3cret@db.internal:5432/latchkey?schema=tenant_a&sslmode=require")).toBe(
      "postgres://db.internal:5432/latchkey?schema=tenant_a&sslmode=require",
    );
    expect(withoutCredentials("postgresql://db/x?options=-c%20search_path%3Dtenant_b")).toBe("postgresql://db/x?options=-c%20search_path%3Dtenant_b");
  });

  it("never keeps a password, wherever the URL carries it", () => {
    const logged = withoutCredentials("postgres://u:pw1@db/x?password=pw2&sslpassword=pw3&schema=s");
    expect(logged).toBe("postgres://db/x?schema=s");
    expect(logged).not.toMatch(/pw\d/);
  });

  it("leaves a file path alone", () => {
    expect(withoutCredentials("./data/latchkey.db")).toBe("./data/latchkey.db");
  });
});
