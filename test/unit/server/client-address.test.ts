import { describe, expect, it } from "vitest";
import { createClientAddressOf, isAddressOrRange, normaliseAddress } from "../../../src/server/client-address.js";

describe("the client address", () => {
  it("is the peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    const addressOf = createClientAddressOf([]);
    expect(addressOf("::ffff:127.0.0.1", "203.0.113.9")).toBe("127.0.0.1");
    expect(addressOf("2001:DB8::1", undefined)).toBe("2001:db8::1");
  });

  it("is the peer when the peer is not a trusted proxy", () => {
    expect(createClientAddressOf(["10.0.0.0/8"])("192.0.2.1", "203.0.113.9")).toBe("192.0.2.1");
  });

  it("walks X-Forwarded-For from the right past trusted hops only", () => {
    const addressOf = createClientAddressOf(["10.0.0.0/8", "::1"]);
    expect(addressOf("10.0.0.2", "203.0.113.9")).toBe("203.0.113.9");
    expect(addressOf("10.0.0.2", "198.51.100.1, 203.0.113.9, 10.1.1.1")).toBe("203.0.113.9");
    // A forged left part does not count: the first untrusted hop from the right is the client.
    expect(addressOf("::1", ["1.1.1.1, 203.0.113.9", "10.0.0.3"])).toBe("203.0.113.9");
    // Only trusted hops: the leftmost one is as far as it goes.
    expect(addressOf("10.0.0.2", "10.0.0.5")).toBe("10.0.0.5");
    // A malformed hop stops the walk at the last trusted address.
    expect(addressOf("10.0.0.2", "203.0.113.9, junk")).toBe("10.0.0.2");
    expect(addressOf("10.0.0.2", undefined)).toBe("10.0.0.2");
  });

  it("knows addresses and CIDR ranges", () => {
    expect(["1.2.3.4", "::1", "10.0.0.0/8", "fd00::/8", "0.0.0.0/0"].every(isAddressOrRange)).toBe(true);
    expect(["1.2.3.4/33", "::/129", "host", "1.2.3.4/", "1.2.3/8"].some(isAddressOrRange)).toBe(false);
    expect(normaliseAddress("::FFFF:192.0.2.1")).toBe("192.0.2.1");
  });
});
