import type { DescFile, DescMethod } from "@bufbuild/protobuf";
import { sendText, type EndpointHandler } from "../../server/http-endpoints.js";
import type { RestRoute } from "../rest/http-rules.js";
import { buildSwaggerDocument, type SwaggerOptions } from "./swagger.js";

export const OPENAPI_BASE = "/openapi/v2/swagger";

export interface OpenApiDocument {
  /** Where it is served, e.g. "/openapi/v2/swagger/zitadel/management.swagger.json". */
  readonly path: string;
  /** Further paths serving the same document. */
  readonly aliases: readonly string[];
  readonly services: readonly string[];
  readonly document: Record<string, unknown>;
}

export interface OpenApiOptions {
  readonly routes: readonly RestRoute[];
  readonly successCode: (method: DescMethod) => number;
  readonly isPublic: (method: DescMethod) => boolean;
}

/**
 * One document per proto file that defines served services, named after the
 * file ("zitadel/user/v2/user_service.proto" is served at
 * "<base>/zitadel/user/v2/user_service.swagger.json"), also under its bare
 * file name when no other file shares it ("<base>/management.swagger.json",
 * ZITADEL's name), plus "<base>/latchkey.swagger.json" with every route.
 */
export function buildOpenApiDocuments(options: OpenApiOptions): OpenApiDocument[] {
  const byFile = new Map<DescFile, RestRoute[]>();
  for (const route of options.routes) {
    const routes = byFile.get(route.service.file) ?? [];
    routes.push(route);
    byFile.set(route.service.file, routes);
  }
  const baseName = (file: DescFile) => file.name.slice(file.name.lastIndexOf("/") + 1);
  const baseNameCount = new Map<string, number>();
  for (const file of byFile.keys()) baseNameCount.set(baseName(file), (baseNameCount.get(baseName(file)) ?? 0) + 1);

  const documents: OpenApiDocument[] = [...byFile].map(([file, routes]) => {
    const services = [...new Set(routes.map((route) => route.service.typeName))];
    const path = `${OPENAPI_BASE}/${file.name}.swagger.json`;
    const short = `${OPENAPI_BASE}/${baseName(file)}.swagger.json`;
    return {
      path,
      aliases: baseNameCount.get(baseName(file)) === 1 && short !== path ? [short] : [],
      services,
      document: build(options, routes, services.map((s) => s.slice(s.lastIndexOf(".") + 1)).join(", "), file.proto.package),
    };
  });
  documents.push({
    path: `${OPENAPI_BASE}/latchkey.swagger.json`,
    aliases: [],
    services: [...new Set(options.routes.map((route) => route.service.typeName))],
    document: build(options, options.routes, "Latchkey", "all services"),
  });
  return documents;
}

function build(options: OpenApiOptions, routes: readonly RestRoute[], title: string, version: string) {
  const swagger: SwaggerOptions = { title, version, routes, successCode: options.successCode, isPublic: options.isPublic };
  return buildSwaggerDocument(swagger);
}

/** The documents as HTTP endpoints, plus an index of them at the base path. */
export function createOpenApiEndpoints(documents: readonly OpenApiDocument[]): Map<string, EndpointHandler> {
  const endpoints = new Map<string, EndpointHandler>();
  for (const doc of documents) {
    const body = JSON.stringify(doc.document);
    const serve: EndpointHandler = (req, res) => sendText(req, res, 200, "application/json", body);
    for (const path of [doc.path, ...doc.aliases]) endpoints.set(path, serve);
  }
  const index = JSON.stringify({
    documents: documents.map((doc) => ({ url: doc.path, aliases: doc.aliases, services: doc.services })),
  });
  const serveIndex: EndpointHandler = (req, res) => sendText(req, res, 200, "application/json", index);
  endpoints.set(OPENAPI_BASE, serveIndex);
  endpoints.set(`${OPENAPI_BASE}/`, serveIndex);
  return endpoints;
}
