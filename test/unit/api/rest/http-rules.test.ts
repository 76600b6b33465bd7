import { create, createFileRegistry, setExtension } from "@bufbuild/protobuf";
import type { DescService, MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FieldDescriptorProto_Label, FieldDescriptorProto_Type, MethodOptionsSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { http } from "../../../../gen/google/api/annotations_pb.js";
import { HttpRuleSchema } from "../../../../gen/google/api/http_pb.js";
import { ManagementService } from "../../../../gen/zitadel/management_pb.js";
import { buildRestRoutes, compareSpecificity, findRoute } from "../../../../src/api/rest/http-rules.js";
import { matchPathTemplate } from "../../../../src/api/rest/path-template.js";

const routes = buildRestRoutes([{ service: ManagementService, prefix: "/management/v1" }]);

function lookup(httpMethod: string, path: string) {
  const found = findRoute(routes, httpMethod, path);
  return "status" in found ? found.status : { method: found.route.method.name, params: found.params };
}

describe("buildRestRoutes for ManagementService", () => {
  it("creates one route per annotated method with prefix, body and method", () => {
    // The service grows over time; these are the routes this suite relies on.
    expect(routes).toHaveLength(ManagementService.methods.length);
    expect(routes.map((r) => [r.httpMethod, r.pattern, r.method.name, r.body, r.responseBody])).toEqual(
      expect.arrayContaining([
        ["GET", "/management/v1/healthz", "Healthz", "", ""],
        ["GET", "/management/v1/users/{id}", "GetUserByID", "", ""],
        ["POST", "/management/v1/users/human", "AddHumanUser", "*", ""],
        ["POST", "/management/v1/users/human/_import", "ImportHumanUser", "*", ""],
        ["POST", "/management/v1/users/machine", "AddMachineUser", "*", ""],
        ["POST", "/management/v1/users/{id}/_lock", "LockUser", "*", ""],
        ["POST", "/management/v1/users/{id}/_unlock", "UnlockUser", "*", ""],
      ]),
    );
    for (const route of routes) {
      expect(route.service).toBe(ManagementService);
      expect(route.template.template).toBe(route.pattern);
    }
  });
});

describe("findRoute", () => {
  it("finds what a scan of every route finds, for paths of every length", () => {
    // Every route's own path with its variables filled in, plus neighbours one segment longer or shorter.
    const samples = routes.flatMap((route) => {
      const path = route.pattern.replace(/\{[^}]+\}/g, "x1");
      return [
        path,
        `${path}/extra`,
        path.slice(0, path.lastIndexOf("/")) || "/",
        `${path}/`,
        "/",
        "",
        "//",
        path.replace("/x1", "/%78%31"),
        path.replace("/users", "/%75sers"),
      ];
    });
    const scan = (httpMethod: string, path: string) => {
      const matches = routes.map((route) => ({ route, params: matchPathTemplate(route.template, path) })).filter((m) => m.params);
      const exact = matches.filter((m) => m.route.httpMethod === httpMethod);
      if (exact.length === 0) return matches.length ? 405 : 404;
      const best = exact.reduce((a, b) => (compareSpecificity(b.route.template, a.route.template) < 0 ? b : a));
      return { method: best.route.method.name, params: best.params };
    };
    for (const path of samples) {
      for (const httpMethod of ["GET", "POST", "PUT", "DELETE"])
        expect([httpMethod, path, lookup(httpMethod, path)]).toEqual([httpMethod, path, scan(httpMethod, path)]);
    }
  });

  it("prefers literal segments over variables", () => {
    expect(lookup("POST", "/management/v1/users/human")).toEqual({ method: "AddHumanUser", params: {} });
    expect(lookup("POST", "/management/v1/users/machine")).toEqual({ method: "AddMachineUser", params: {} });
    expect(lookup("POST", "/management/v1/users/human/_import")).toEqual({
      method: "ImportHumanUser",
      params: {},
    });
  });

  it("falls back to the variable route for other methods", () => {
    expect(lookup("GET", "/management/v1/users/human")).toEqual({
      method: "GetUserByID",
      params: { id: "human" },
    });
    expect(lookup("GET", "/management/v1/users/123")).toEqual({
      method: "GetUserByID",
      params: { id: "123" },
    });
    expect(lookup("POST", "/management/v1/users/human/_lock")).toEqual({
      method: "LockUser",
      params: { id: "human" },
    });
  });

  it("accepts lower-case HTTP methods", () => {
    expect(lookup("get", "/management/v1/healthz")).toEqual({ method: "Healthz", params: {} });
  });

  it("answers 404 for unknown paths and 405 for known paths with another method", () => {
    expect(lookup("GET", "/management/v1/nope")).toBe(404);
    expect(lookup("GET", "/healthz")).toBe(404);
    expect(lookup("GET", "/management/v1/users/1/_lock/x")).toBe(404);
    expect(lookup("PUT", "/management/v1/users/1")).toBe(405);
    expect(lookup("POST", "/management/v1/healthz")).toBe(405);
    expect(lookup("GET", "/management/v1/users/1/_lock")).toBe(405);
  });
});

// A service built in memory to cover rule shapes the v1 protos do not use.
function testService(): DescService {
  const rule = (init: MessageInitShape<typeof HttpRuleSchema>) => {
    const options = create(MethodOptionsSchema);
    setExtension(options, http, create(HttpRuleSchema, init));
    return options;
  };
  const str = (name: string, number: number) => ({
    name,
    number,
    jsonName: name,
    type: FieldDescriptorProto_Type.STRING,
    label: FieldDescriptorProto_Label.OPTIONAL,
  });
  const file = create(FileDescriptorProtoSchema, {
    name: "test/rules.proto",
    package: "test.rules",
    syntax: "proto3",
    messageType: [
      { name: "Inner", field: [str("id", 1)] },
      {
        name: "Req",
        field: [
          str("name", 1),
          {
            name: "inner",
            number: 2,
            jsonName: "inner",
            type: FieldDescriptorProto_Type.MESSAGE,
            typeName: ".test.rules.Inner",
            label: FieldDescriptorProto_Label.OPTIONAL,
          },
        ],
      },
      { name: "Res", field: [str("value", 1)] },
    ],
    service: [
      {
        name: "Rules",
        method: [
          {
            name: "Get",
            inputType: ".test.rules.Req",
            outputType: ".test.rules.Res",
            options: rule({
              pattern: { case: "get", value: "/v1/{name=things/*}" },
              responseBody: "value",
              additionalBindings: [
                { pattern: { case: "get", value: "/v1/inner/{inner.id}" } },
                { pattern: { case: "post", value: "/v1/{name=things/*}:fetch" }, body: "inner" },
              ],
            }),
          },
          {
            name: "Custom",
            inputType: ".test.rules.Req",
            outputType: ".test.rules.Res",
            options: rule({ pattern: { case: "custom", value: { kind: "report", path: "/v1/things" } } }),
          },
          {
            name: "Stream",
            inputType: ".test.rules.Req",
            outputType: ".test.rules.Res",
            serverStreaming: true,
            options: rule({ pattern: { case: "get", value: "/v1/stream" } }),
          },
          { name: "Plain", inputType: ".test.rules.Req", outputType: ".test.rules.Res" },
        ],
      },
    ],
  });
  return createFileRegistry(file, () => undefined).getService("test.rules.Rules")!;
}

describe("buildRestRoutes for other rule shapes", () => {
  const service = testService();
  const built = buildRestRoutes([{ service, prefix: "" }]);

  it("includes additional bindings and custom methods, skips streaming and unannotated methods", () => {
    expect(built.map((r) => [r.httpMethod, r.pattern, r.method.name, r.body, r.responseBody])).toEqual([
      ["GET", "/v1/{name=things/*}", "Get", "", "value"],
      ["GET", "/v1/inner/{inner.id}", "Get", "", ""],
      ["POST", "/v1/{name=things/*}:fetch", "Get", "inner", ""],
      ["REPORT", "/v1/things", "Custom", "", ""],
    ]);
  });

  it("matches verbs and nested variables", () => {
    const fetch = findRoute(built, "POST", "/v1/things/t1:fetch");
    expect("route" in fetch && fetch.route.pattern).toBe("/v1/{name=things/*}:fetch");
    expect("params" in fetch && fetch.params).toEqual({ name: "things/t1" });
    const inner = findRoute(built, "GET", "/v1/inner/i%201");
    expect("params" in inner && inner.params).toEqual({ "inner.id": "i 1" });
    // Without the verb in the template, the colon is part of the value.
    const get = findRoute(built, "GET", "/v1/things/t1:fetch");
    expect("params" in get && get.params).toEqual({ name: "things/t1:fetch" });
    expect(findRoute(built, "PUT", "/v1/things/t1:fetch")).toEqual({ status: 405 });
    expect(findRoute(built, "GET", "/v1/stream")).toEqual({ status: 404 });
  });

  it("trims a trailing slash from the prefix", () => {
    const prefixed = buildRestRoutes([{ service, prefix: "/api/" }]);
    expect(prefixed[0]!.pattern).toBe("/api/v1/{name=things/*}");
  });

  it("rejects rules that name unknown fields", () => {
    const bad = (init: MessageInitShape<typeof HttpRuleSchema>) => {
      const copy = testService();
      const method = copy.methods[0]!;
      const options = create(MethodOptionsSchema);
      setExtension(options, http, create(HttpRuleSchema, init));
      method.proto.options = options;
      return () => buildRestRoutes([{ service: copy, prefix: "" }]);
    };
    expect(bad({ pattern: { case: "get", value: "/v1/{missing}" } })).toThrow(/unknown path field "missing"/);
    expect(bad({ pattern: { case: "get", value: "/v1/{name.x}" } })).toThrow(/unknown path field "name.x"/);
    expect(bad({ pattern: { case: "post", value: "/v1/x" }, body: "nope" })).toThrow(/unknown body field/);
    expect(bad({ pattern: { case: "get", value: "/v1/x" }, responseBody: "nope" })).toThrow(/unknown response_body field/);
  });
});
