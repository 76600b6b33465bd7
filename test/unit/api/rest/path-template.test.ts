import { describe, expect, it } from "vitest";
import { matchPathTemplate, parsePathTemplate } from "../../../../src/api/rest/path-template.js";

const match = (template: string, path: string) => matchPathTemplate(parsePathTemplate(template), path);

describe("parsePathTemplate", () => {
  it("parses literals, variables, wildcards and the verb", () => {
    const parsed = parsePathTemplate("/v1/{name=shelves/*/books/**}:archive");
    expect(parsed.segments).toEqual([
      { kind: "literal", value: "v1" },
      { kind: "literal", value: "shelves" },
      { kind: "any" },
      { kind: "literal", value: "books" },
      { kind: "rest" },
    ]);
    expect(parsed.variables).toEqual([{ fieldPath: "name", start: 1, end: 5 }]);
    expect(parsed.verb).toBe("archive");
  });

  it("treats {var} as one-segment wildcard", () => {
    const parsed = parsePathTemplate("/users/{user.id}/_lock");
    expect(parsed.segments[1]).toEqual({ kind: "any" });
    expect(parsed.variables).toEqual([{ fieldPath: "user.id", start: 1, end: 2 }]);
    expect(parsed.verb).toBeUndefined();
  });

  it.each(["users", "/users/", "/a//b", "/{id", "/{a.}", "/{id}x", "/{a={b}}", "/**/x", "/{id}/{id}", "/a:", "/{name=}"])("rejects %s", (template) => {
    expect(() => parsePathTemplate(template)).toThrow(/invalid path template/);
  });
});

describe("matchPathTemplate", () => {
  it("matches literals exactly", () => {
    expect(match("/management/v1/healthz", "/management/v1/healthz")).toEqual({});
    expect(match("/management/v1/healthz", "/management/v1/healthz/")).toBeUndefined();
    expect(match("/management/v1/healthz", "/management/v1")).toBeUndefined();
    expect(match("/management/v1/healthz", "/management/v1/healthy")).toBeUndefined();
  });

  it("captures single-segment variables", () => {
    expect(match("/users/{id}", "/users/123")).toEqual({ id: "123" });
    expect(match("/users/{id}/_lock", "/users/123/_lock")).toEqual({ id: "123" });
    expect(match("/users/{id}", "/users/123/_lock")).toBeUndefined();
    expect(match("/users/{id}", "/users/")).toBeUndefined();
    expect(match("/users/{id}", "/users")).toBeUndefined();
  });

  it("percent-decodes single-segment captures, including %2F", () => {
    expect(match("/users/{id}", "/users/a%20b%40c")).toEqual({ id: "a b@c" });
    expect(match("/users/{id}", "/users/a%2Fb")).toEqual({ id: "a/b" });
    expect(match("/users/{id}", "/users/%C3%BC")).toEqual({ id: "ü" });
  });

  it("does not match malformed percent-encoding", () => {
    expect(match("/users/{id}", "/users/%E0%A4%A")).toBeUndefined();
    expect(match("/users/{id}", "/users/%zz")).toBeUndefined();
  });

  it("captures nested field paths", () => {
    expect(match("/orgs/{org.id}/users/{user.id}", "/orgs/o1/users/u1")).toEqual({
      "org.id": "o1",
      "user.id": "u1",
    });
  });

  it("captures variables with a sub-pattern", () => {
    const template = "/v1/{name=shelves/*}/books";
    expect(match(template, "/v1/shelves/s1/books")).toEqual({ name: "shelves/s1" });
    expect(match(template, "/v1/racks/s1/books")).toBeUndefined();
  });

  it("matches * and ** without variables", () => {
    expect(match("/a/*/c", "/a/b/c")).toEqual({});
    expect(match("/a/*/c", "/a/b/x/c")).toBeUndefined();
    expect(match("/a/**", "/a/b/x/c")).toEqual({});
    expect(match("/a/**", "/a")).toEqual({});
  });

  it("captures ** tails and keeps %2F encoded inside them", () => {
    const template = "/files/{path=**}";
    expect(match(template, "/files/a/b/c.txt")).toEqual({ path: "a/b/c.txt" });
    expect(match(template, "/files/a%2Fb/c%20d")).toEqual({ path: "a%2Fb/c d" });
    expect(match(template, "/files/x")).toEqual({ path: "x" });
  });

  it("requires the verb when the template has one", () => {
    const template = "/users/{id}:activate";
    expect(match(template, "/users/u1:activate")).toEqual({ id: "u1" });
    expect(match(template, "/users/u1")).toBeUndefined();
    expect(match(template, "/users/u1:deactivate")).toBeUndefined();
    expect(match("/files/{path=**}:get", "/files/a/b:get")).toEqual({ path: "a/b" });
  });

  it("keeps a colon as part of the value when the template has no verb", () => {
    expect(match("/users/{id}", "/users/a:b")).toEqual({ id: "a:b" });
  });

  it("matches the root template", () => {
    expect(match("/", "/")).toEqual({});
    expect(match("/", "/x")).toBeUndefined();
  });

  it("rejects paths without a leading slash", () => {
    expect(match("/users/{id}", "users/1")).toBeUndefined();
  });
});
