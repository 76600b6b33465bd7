import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedServices } from "../../src/api/routes.js";
import { buildRestRoutes } from "../../src/api/rest/http-rules.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

const BASE = "/openapi/v2/swagger";
const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());

async function getDocument(path: string): Promise<any> {
  const response = await fetch(t.baseUrl + path);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json");
  return response.json();
}

/** "METHOD /path" for every operation of a Swagger document. */
function operationsOf(document: any): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The served routes, from the same rules the transcoder uses; `{x=pattern}` written as `{x}`. */
function servedRoutes(): string[] {
  return buildRestRoutes(servedServices).map((route) => `${route.httpMethod} ${route.pattern.replace(/\{([^}=]+)(=[^}]*)?\}/g, "{$1}")}`);
}

describe("OpenAPI documents", () => {
  it("lists its documents at the base path", async () => {
    const index = await getDocument(BASE);
    const urls = index.documents.map((d: { url: string }) => d.url);
    expect(urls).toContain(`${BASE}/zitadel/management.swagger.json`);
    expect(urls).toContain(`${BASE}/latchkey.swagger.json`);
    const management = index.documents.find((d: { url: string }) => d.url === `${BASE}/zitadel/management.swagger.json`);
    expect(management.aliases).toContain(`${BASE}/management.swagger.json`);
  });

  it("serves valid Swagger 2.0 at ZITADEL's path and for every document of the index", async () => {
    const management = await getDocument(`${BASE}/management.swagger.json`);
    expect(management.swagger).toBe("2.0");
    await SwaggerParser.validate(structuredClone(management));
    for (const { url } of (await getDocument(BASE)).documents) {
      await SwaggerParser.validate(structuredClone(await getDocument(url)));
    }
  });

  it("documents exactly the REST routes served, no more and no fewer", async () => {
    const combined = operationsOf(await getDocument(`${BASE}/latchkey.swagger.json`));
    expect([...combined].sort()).toEqual([...new Set(servedRoutes())].sort());
    const perFile = [];
    for (const { url } of (await getDocument(BASE)).documents.filter((d: { url: string }) => !d.url.endsWith("/latchkey.swagger.json"))) {
      perFile.push(...operationsOf(await getDocument(url)));
    }
    expect(perFile.sort()).toEqual([...combined].sort());
  });

  it("every documented operation reaches a method on the live server", async () => {
    const document = await getDocument(`${BASE}/latchkey.swagger.json`);
    for (const operation of operationsOf(document)) {
      const [method, template] = operation.split(" ") as [string, string];
      const path = template.replace(/\{[^}]+\}/g, "4711");
      const response = await t.rest(method, path, method === "GET" || method === "DELETE" ? undefined : {});
      // The transcoder's own "no such route" answers; anything else came from a method.
      expect({ operation, message: response.json?.message }).not.toEqual({ operation, message: "Not Found" });
      expect(response.status, operation).not.toBe(405);
    }
  });

  it("describes messages as their JSON looks: lowerCamel names, 64-bit integers as strings, enums as names, times as date-time", async () => {
    const document = await getDocument(`${BASE}/management.swagger.json`);
    const details = document.definitions["zitadel.v1.ObjectDetails"];
    expect(details.properties).toEqual({
      sequence: { type: "string", format: "uint64" },
      creationDate: { type: "string", format: "date-time" },
      changeDate: { type: "string", format: "date-time" },
      resourceOwner: { type: "string" },
    });
    const user = document.definitions["zitadel.user.v1.User"];
    expect(Object.keys(user.properties)).toEqual(expect.arrayContaining(["userName", "loginNames", "preferredLoginName"]));
    expect(user.properties.state).toEqual({ $ref: "#/definitions/zitadel.user.v1.UserState" });
    expect(document.definitions["zitadel.user.v1.UserState"].enum).toEqual(expect.arrayContaining(["USER_STATE_ACTIVE", "USER_STATE_LOCKED"]));
  });

  it("describes parameters, the error body and bearer authentication", async () => {
    const document = await getDocument(`${BASE}/management.swagger.json`);
    const unlock = document.paths["/management/v1/users/{id}/_unlock"].post;
    expect(unlock.operationId).toBe("ManagementService_UnlockUser");
    expect(unlock.parameters).toEqual([
      { name: "id", in: "path", required: true, type: "string" },
      { name: "body", in: "body", required: true, schema: { type: "object", properties: {} } },
    ]);
    expect(unlock.responses["200"].schema).toEqual({ $ref: "#/definitions/zitadel.management.v1.UnlockUserResponse" });
    expect(unlock.responses.default.schema).toEqual({ $ref: "#/definitions/rpcStatus" });
    expect(document.definitions.rpcStatus.properties).toEqual({
      code: { type: "integer", format: "int32" },
      message: { type: "string" },
      details: { type: "array", items: { $ref: "#/definitions/protobufAny" } },
    });
    expect(document.securityDefinitions.BearerAuth).toMatchObject({ type: "apiKey", in: "header", name: "Authorization" });
    expect(document.security).toEqual([{ BearerAuth: [] }]);
    // Healthz needs no token.
    expect(document.paths["/management/v1/healthz"].get.security).toEqual([]);
    expect(unlock.security).toBeUndefined();
  });
});
