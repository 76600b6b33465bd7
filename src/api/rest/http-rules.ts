// REST routes derived from the google.api.http options of service methods.
import { getOption, hasOption } from "@bufbuild/protobuf";
import type { DescField, DescMessage, DescMethod, DescMethodUnary, DescService } from "@bufbuild/protobuf";
import { http } from "../../../gen/google/api/annotations_pb.js";
import type { HttpRule } from "../../../gen/google/api/http_pb.js";
import { matchPathTemplate, parsePathTemplate } from "./path-template.js";
import type { ParsedPathTemplate } from "./path-template.js";

export interface RestRoute {
  /** Upper-case HTTP method, e.g. "POST". */
  readonly httpMethod: string;
  /** Mount prefix plus the path from the rule. */
  readonly pattern: string;
  readonly template: ParsedPathTemplate;
  readonly service: DescService;
  readonly method: DescMethodUnary;
  /** "" (no body), "*" (whole request) or a top-level request field name. */
  readonly body: string;
  /** "" (whole response) or a top-level response field name. */
  readonly responseBody: string;
}

export type RouteLookup = { readonly route: RestRoute; readonly params: Record<string, string> } | { readonly status: 404 | 405 };

export function buildRestRoutes(services: ReadonlyArray<{ service: DescService; prefix: string }>): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const { service, prefix } of services) {
    for (const method of service.methods) {
      // Streaming calls have no REST mapping here.
      if (!isUnary(method) || !hasOption(method, http)) continue;
      const rule = getOption(method, http);
      for (const binding of [rule, ...rule.additionalBindings]) {
        const route = routeFromRule(service, method, prefix, binding);
        if (route) routes.push(route);
      }
    }
  }
  return routes;
}

export function findRoute(routes: readonly RestRoute[], httpMethod: string, path: string): RouteLookup {
  const wanted = httpMethod.toUpperCase();
  let best: { route: RestRoute; params: Record<string, string> } | undefined;
  let pathMatched = false;
  const index = indexOf(routes);
  const candidates = [...(index.bySegmentCount.get(segmentCount(path)) ?? []), ...index.anyLength];
  const parts = path.slice(1).split("/");
  for (const route of candidates) {
    if (!literalsMayMatch(route.template, parts)) continue;
    const params = matchPathTemplate(route.template, path);
    if (!params) continue;
    pathMatched = true;
    if (route.httpMethod !== wanted) continue;
    if (!best || compareSpecificity(route.template, best.route.template) < 0) {
      best = { route, params };
    }
  }
  if (best) return best;
  return { status: pathMatched ? 405 : 404 };
}

/**
 * Routes grouped by how many path segments they match: a path is only tried
 * against templates of its own length (and those ending in "**"), not all.
 */
interface RouteIndex {
  readonly bySegmentCount: ReadonlyMap<number, readonly RestRoute[]>;
  readonly anyLength: readonly RestRoute[];
}
const routeIndexes = new WeakMap<readonly RestRoute[], RouteIndex>();

function indexOf(routes: readonly RestRoute[]): RouteIndex {
  let index = routeIndexes.get(routes);
  if (index) return index;
  const bySegmentCount = new Map<number, RestRoute[]>();
  const anyLength: RestRoute[] = [];
  for (const route of routes) {
    const { segments } = route.template;
    if (segments.at(-1)?.kind === "rest") anyLength.push(route);
    else bySegmentCount.set(segments.length, [...(bySegmentCount.get(segments.length) ?? []), route]);
  }
  index = { bySegmentCount, anyLength };
  routeIndexes.set(routes, index);
  return index;
}

/**
 * A cheap first test: false when a literal segment of the template differs
 * from the path's segment at its place. A segment holding "%" or the verb
 * may still decode to the literal, so those are left to matchPathTemplate.
 */
function literalsMayMatch(template: ParsedPathTemplate, parts: readonly string[]): boolean {
  const { segments } = template;
  for (let i = 0; i < segments.length && i < parts.length; i++) {
    const segment = segments[i]!;
    if (segment.kind !== "literal") continue;
    if (template.verb !== undefined && i === segments.length - 1) continue;
    const part = parts[i]!;
    if (part !== segment.value && !part.includes("%")) return false;
  }
  return true;
}

/** The number of segments matchPathTemplate splits a path into ("/" has none; a verb never holds "/"). */
function segmentCount(path: string): number {
  if (path === "/") return 0;
  let count = 0;
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) count++;
  return count;
}

function routeFromRule(service: DescService, method: DescMethodUnary, prefix: string, rule: HttpRule): RestRoute | undefined {
  let httpMethod: string;
  let path: string;
  switch (rule.pattern.case) {
    case undefined:
      return undefined;
    case "custom":
      httpMethod = rule.pattern.value.kind.toUpperCase();
      path = rule.pattern.value.path;
      break;
    default:
      httpMethod = rule.pattern.case.toUpperCase();
      path = rule.pattern.value;
  }
  const pattern = prefix.replace(/\/+$/, "") + path;
  const where = `${method.parent.typeName}.${method.name} (${httpMethod} ${pattern})`;
  const template = parsePathTemplate(pattern);
  for (const variable of template.variables) {
    checkFieldPath(method.input, variable.fieldPath, where);
  }
  // Misspelled body fields would otherwise silently drop request data.
  if (rule.body !== "" && rule.body !== "*" && !topLevelField(method.input, rule.body)) {
    throw new Error(`${where}: unknown body field "${rule.body}"`);
  }
  if (rule.responseBody !== "" && !topLevelField(method.output, rule.responseBody)) {
    throw new Error(`${where}: unknown response_body field "${rule.responseBody}"`);
  }
  return {
    httpMethod,
    pattern,
    template,
    service,
    method,
    body: rule.body,
    responseBody: rule.responseBody,
  };
}

function isUnary(method: DescMethod): method is DescMethodUnary {
  return method.methodKind === "unary";
}

function topLevelField(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name);
}

function checkFieldPath(message: DescMessage, fieldPath: string, where: string): void {
  let current: DescMessage | undefined = message;
  for (const name of fieldPath.split(".")) {
    const field: DescField | undefined = current ? topLevelField(current, name) : undefined;
    if (!field) throw new Error(`${where}: unknown path field "${fieldPath}"`);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
}

// Ranks literal < "*" < "**" segment by segment, so that e.g. "/users/human"
// wins over "/users/{id}"; a template with a verb wins over one without.
export function compareSpecificity(a: ParsedPathTemplate, b: ParsedPathTemplate): number {
  const rank = { literal: 0, any: 1, rest: 2 } as const;
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const ra = a.segments[i] ? rank[a.segments[i]!.kind] : -1;
    const rb = b.segments[i] ? rank[b.segments[i]!.kind] : -1;
    if (ra !== rb) return ra - rb;
  }
  return (a.verb === undefined ? 1 : 0) - (b.verb === undefined ? 1 : 0);
}
