import { describe, expect, it } from "vitest";
import { createLightHeaders } from "../../../src/server/unary/light-headers.js";

/** Node's shape of request headers: lower-case names, set-cookie as a list, HTTP/2 pseudo-headers. */
const raw = () => ({
  ":path": "/zitadel.management.v1.ManagementService/LockUser",
  ":method": "POST",
  authorization: "Bearer abc",
  "content-type": "application/grpc",
  "x-padded": "  spaced\t",
  "set-cookie": ["a=1", "b=2"],
  "x-zitadel-orgid": "123",
  absent: undefined,
});

/** What the lean paths used before: fetch's Headers filled from the same object. */
function fetchHeaders(source: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(source)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const item of [value].flat()) headers.append(name, item);
  }
  return headers;
}

const dump = (headers: Headers) => ({
  entries: [...headers],
  forEach: (() => {
    const seen: string[] = [];
    headers.forEach((value, name) => seen.push(`${name}=${value}`));
    return seen;
  })(),
  keys: [...headers.keys()],
  values: [...headers.values()],
  cookies: headers.getSetCookie(),
});

describe("createLightHeaders", () => {
  it("reads like fetch's Headers built from the same request headers", () => {
    const light = createLightHeaders(raw());
    const expected = fetchHeaders(raw());
    for (const name of ["authorization", "Authorization", "content-type", "x-padded", "set-cookie", "x-zitadel-orgid", "absent", "missing"]) {
      expect(light.get(name), name).toBe(expected.get(name));
      expect(light.has(name), name).toBe(expected.has(name));
    }
    expect(dump(light)).toEqual(dump(expected));
    // fetch's Headers throws for a pseudo-header's name; here it is simply not a header.
    expect(light.get(":path")).toBeNull();
  });

  it("changes like fetch's Headers, leaving the request's object as it was", () => {
    const source = raw();
    const light = createLightHeaders(source);
    const expected = fetchHeaders(raw());
    for (const headers of [light, expected]) {
      headers.set("X-Request-Id", " id-1 ");
      headers.append("x-zitadel-orgid", "456");
      headers.append("set-cookie", "c=3");
      headers.delete("Authorization");
      headers.set("grpc-status", "0");
    }
    expect(dump(light)).toEqual(dump(expected));
    expect(source).toEqual(raw());
  });

  it("starts empty without a source and refuses what fetch's Headers refuses", () => {
    const light = createLightHeaders();
    expect([...light]).toEqual([]);
    expect(() => light.set("bad name", "x")).toThrow(TypeError);
    expect(() => light.set("x-ok", "line\r\nbreak")).toThrow(TypeError);
    expect(() => new Headers().set("x-ok", "line\r\nbreak")).toThrow(TypeError);
    expect(() => light.append("x-ok", "nul\0")).toThrow(TypeError);
    expect([...light]).toEqual([]);
  });

  it("can be copied into fetch's Headers", () => {
    const light = createLightHeaders(raw());
    expect([...new Headers(light)]).toEqual([...fetchHeaders(raw())]);
  });
});
