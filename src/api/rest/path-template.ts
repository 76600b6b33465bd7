// Parser and matcher for google.api.http path templates:
//
//   Template = "/" Segments [ Verb ]
//   Segment  = "*" | "**" | LITERAL | Variable
//   Variable = "{" FieldPath [ "=" Segments ] "}"
//   Verb     = ":" LITERAL

export type PathSegment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "any" } // "*": exactly one segment
  | { readonly kind: "rest" }; // "**": zero or more segments, only last

export interface PathVariable {
  /** Dotted field path, e.g. "user.id". */
  readonly fieldPath: string;
  /** Index of the first segment the variable covers. */
  readonly start: number;
  /** Index after the last segment the variable covers. */
  readonly end: number;
}

export interface ParsedPathTemplate {
  readonly template: string;
  readonly segments: readonly PathSegment[];
  readonly variables: readonly PathVariable[];
  readonly verb: string | undefined;
}

const identPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parsePathTemplate(template: string): ParsedPathTemplate {
  const fail = (reason: string): never => {
    throw new Error(`invalid path template "${template}": ${reason}`);
  };
  if (!template.startsWith("/")) fail("must start with '/'");

  // The verb is the text after the last ':' that is outside braces.
  let verb: string | undefined;
  let body = template.slice(1);
  let depth = 0;
  let colon = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (c === ":" && depth === 0) colon = i;
  }
  if (colon >= 0) {
    verb = body.slice(colon + 1);
    body = body.slice(0, colon);
    if (verb === "" || verb.includes("/")) fail("invalid verb");
  }

  const segments: PathSegment[] = [];
  const variables: PathVariable[] = [];
  const pushPlain = (raw: string): void => {
    if (raw === "") fail("empty segment");
    if (raw === "*") segments.push({ kind: "any" });
    else if (raw === "**") segments.push({ kind: "rest" });
    else if (/[{}*=]/.test(raw)) fail(`unexpected characters in segment "${raw}"`);
    else segments.push({ kind: "literal", value: raw });
  };

  // "/" alone is the root path with no segments.
  let i = body === "" ? 1 : 0;
  while (i <= body.length) {
    if (body[i] === "{") {
      const close = body.indexOf("}", i);
      if (close < 0) fail("unterminated variable");
      const inner = body.slice(i + 1, close);
      if (inner.includes("{")) fail("nested variables");
      const eq = inner.indexOf("=");
      const fieldPath = eq < 0 ? inner : inner.slice(0, eq);
      if (!fieldPath.split(".").every((part) => identPattern.test(part))) {
        fail(`invalid field path "${fieldPath}"`);
      }
      if (variables.some((v) => v.fieldPath === fieldPath)) {
        fail(`duplicate variable "${fieldPath}"`);
      }
      const start = segments.length;
      if (eq < 0) {
        segments.push({ kind: "any" });
      } else {
        const sub = inner.slice(eq + 1);
        if (sub === "") fail(`empty pattern for "${fieldPath}"`);
        for (const raw of sub.split("/")) pushPlain(raw);
      }
      variables.push({ fieldPath, start, end: segments.length });
      i = close + 1;
      if (i < body.length && body[i] !== "/") fail("variable must end a segment");
      i++;
    } else {
      let next = body.indexOf("/", i);
      if (next < 0) next = body.length;
      pushPlain(body.slice(i, next));
      i = next + 1;
    }
  }

  const restAt = segments.findIndex((s) => s.kind === "rest");
  if (restAt >= 0 && restAt !== segments.length - 1) {
    fail("'**' must be the last segment");
  }
  return { template, segments, variables, verb };
}

/**
 * Matches a raw (still percent-encoded) URL path, without query string.
 * Returns the captured variables keyed by field path, or undefined.
 */
export function matchPathTemplate(parsed: ParsedPathTemplate, path: string): Record<string, string> | undefined {
  if (!path.startsWith("/")) return undefined;
  let rawPath = path.slice(1);
  if (parsed.verb !== undefined) {
    const suffix = ":" + parsed.verb;
    if (!rawPath.endsWith(suffix)) return undefined;
    rawPath = rawPath.slice(0, -suffix.length);
  }
  const raw = rawPath === "" && parsed.segments.length === 0 ? [] : rawPath.split("/");
  const { segments } = parsed;
  const hasRest = segments.at(-1)?.kind === "rest";
  const fixed = hasRest ? segments.length - 1 : segments.length;
  if (hasRest ? raw.length < fixed : raw.length !== fixed) return undefined;

  // Where each template segment starts in `raw`; "**" spans the tail.
  const decoded: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const value = decodeSegment(raw[i]!);
    if (value === undefined) return undefined;
    decoded.push(value);
  }
  for (let i = 0; i < fixed; i++) {
    const segment = segments[i]!;
    const value = decoded[i]!;
    if (segment.kind === "literal" ? value !== segment.value : value === "") {
      return undefined;
    }
  }

  const params: Record<string, string> = {};
  for (const variable of parsed.variables) {
    const from = variable.start;
    const to = variable.end === segments.length && hasRest ? raw.length : variable.end;
    if (to - from === 1 && segments[from]?.kind !== "rest") {
      // Single segment: fully decoded, so "%2F" becomes "/".
      params[variable.fieldPath] = decoded[from]!;
    } else {
      // Multi segment: keep "%2F" encoded so segment boundaries survive.
      params[variable.fieldPath] = raw
        .slice(from, to)
        .map((part) => decodeSegment(part.replace(/%2f/gi, "%252F"))!)
        .join("/");
    }
  }
  return params;
}

function decodeSegment(segment: string): string | undefined {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
