// Swagger 2.0 documents (the format ZITADEL publishes) built from the REST
// routes, which themselves come from the google.api.http rules: a route
// served is a route documented, and nothing else.
import type { DescField, DescMessage, DescMethod } from "@bufbuild/protobuf";
import type { RestRoute } from "../rest/http-rules.js";
import type { ParsedPathTemplate } from "../rest/path-template.js";
import { STATUS_DEFINITION, createSchemaBuilder, refTo, type Schema, type SchemaBuilder } from "./schemas.js";

export const BEARER_AUTH = "BearerAuth";

export interface SwaggerOptions {
  readonly title: string;
  readonly version: string;
  readonly routes: readonly RestRoute[];
  /** HTTP status of a successful answer (200 unless the method sets another). */
  readonly successCode: (method: DescMethod) => number;
  /** Methods callable without a token. */
  readonly isPublic: (method: DescMethod) => boolean;
}

export function buildSwaggerDocument(options: SwaggerOptions): Schema {
  const schemas = createSchemaBuilder();
  const paths: Record<string, Record<string, Schema>> = {};
  const operationIds = new Map<string, number>();
  const tags = new Set<string>();

  for (const route of options.routes) {
    const baseId = `${route.service.name}_${route.method.name}`;
    const seen = (operationIds.get(baseId) ?? 0) + 1;
    operationIds.set(baseId, seen);
    tags.add(route.service.name);
    const operation: Schema = {
      operationId: seen === 1 ? baseId : `${baseId}${seen}`,
      tags: [route.service.name],
      parameters: parametersOf(route, schemas),
      responses: {
        [String(options.successCode(route.method))]: {
          description: "A successful response.",
          schema: responseSchema(route, schemas),
        },
        default: { description: "An error: the gRPC code, a message and details.", schema: refTo(STATUS_DEFINITION) },
      },
    };
    if (options.isPublic(route.method)) operation.security = [];
    if (route.method.deprecated) operation.deprecated = true;
    (paths[swaggerPath(route.template)] ??= {})[route.httpMethod.toLowerCase()] = operation;
  }

  return {
    swagger: "2.0",
    info: { title: options.title, version: options.version },
    tags: [...tags].map((name) => ({ name })),
    schemes: ["http", "https"],
    consumes: ["application/json"],
    produces: ["application/json"],
    paths,
    definitions: schemas.definitions(),
    securityDefinitions: {
      [BEARER_AUTH]: {
        type: "apiKey",
        in: "header",
        name: "Authorization",
        description: 'An OAuth2 access token or personal access token: "Bearer <token>".',
      },
    },
    security: [{ [BEARER_AUTH]: [] }],
  };
}

/** The route's path template in Swagger's form: variables as `{field.path}`, patterns dropped. */
export function swaggerPath(template: ParsedPathTemplate): string {
  const parts: string[] = [];
  for (let i = 0; i < template.segments.length; ) {
    const variable = template.variables.find((v) => v.start === i);
    if (variable) {
      parts.push(`{${variable.fieldPath}}`);
      i = Math.max(variable.end, i + 1);
      continue;
    }
    const segment = template.segments[i]!;
    parts.push(segment.kind === "literal" ? segment.value : segment.kind === "any" ? "*" : "**");
    i++;
  }
  return `/${parts.join("/")}${template.verb ? `:${template.verb}` : ""}`;
}

function parametersOf(route: RestRoute, schemas: SchemaBuilder): Schema[] {
  const input = route.method.input;
  const parameters: Schema[] = [];
  const bound = route.template.variables.map((v) => v.fieldPath);
  for (const fieldPath of bound) {
    const leaf = resolve(input, fieldPath)?.at(-1);
    parameters.push({ name: fieldPath, in: "path", required: true, ...((leaf && schemas.simple(leaf)) ?? { type: "string" }) });
  }
  if (route.body === "*") {
    parameters.push({ name: "body", in: "body", required: true, schema: bodySchema(input, bound, schemas) });
    return parameters;
  }
  if (route.body !== "") {
    const field = input.fields.find((f) => f.name === route.body)!;
    parameters.push({ name: field.jsonName, in: "body", required: true, schema: schemas.field(field) });
  }
  // Everything not bound to the path or the body may come as a query parameter.
  const excluded = [...bound, ...(route.body === "" ? [] : [route.body])];
  parameters.push(...queryParameters(input, "", "", excluded, schemas, new Set([input.typeName])));
  return parameters;
}

function bodySchema(input: DescMessage, bound: readonly string[], schemas: SchemaBuilder): Schema {
  const topLevelBound = new Set(bound.filter((path) => !path.includes(".")));
  if (topLevelBound.size === 0) return schemas.message(input);
  // The fields the path carries are left out of the body, as grpc-gateway documents it.
  const properties: Record<string, Schema> = {};
  for (const field of input.fields) {
    if (!topLevelBound.has(field.name)) properties[field.jsonName] = schemas.field(field);
  }
  return { type: "object", properties };
}

function queryParameters(
  message: DescMessage,
  protoPrefix: string,
  jsonPrefix: string,
  excluded: readonly string[],
  schemas: SchemaBuilder,
  visiting: Set<string>,
): Schema[] {
  const parameters: Schema[] = [];
  for (const field of message.fields) {
    const protoPath = protoPrefix + field.name;
    if (excluded.some((path) => protoPath === path || protoPath.startsWith(`${path}.`))) continue;
    const simple = schemas.simple(field);
    if (simple) {
      parameters.push({ name: jsonPrefix + field.jsonName, in: "query", required: false, ...simple });
    } else if (field.fieldKind === "message" && !visiting.has(field.message.typeName)) {
      // Singular messages spread into dotted names; a cycle stops the descent.
      const nested = new Set(visiting).add(field.message.typeName);
      parameters.push(...queryParameters(field.message, `${protoPath}.`, `${jsonPrefix}${field.jsonName}.`, excluded, schemas, nested));
    }
  }
  return parameters;
}

function responseSchema(route: RestRoute, schemas: SchemaBuilder): Schema {
  const output = route.method.output;
  if (route.responseBody === "") return schemas.message(output);
  return schemas.field(output.fields.find((f) => f.name === route.responseBody)!);
}

function resolve(message: DescMessage, fieldPath: string): DescField[] | undefined {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = message;
  for (const name of fieldPath.split(".")) {
    const field: DescField | undefined = current?.fields.find((f) => f.name === name);
    if (!field) return undefined;
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  return fields;
}
