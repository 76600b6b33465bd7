/**
 * A `Headers` for the lean unary paths that costs next to nothing until it is
 * changed: it reads the request's own header object (Node's, names already
 * lower case) and copies it only on the first change. Node has parsed and
 * validated these headers already; fetch's `Headers` would validate and copy
 * every one of them again on every call (docs/benchmarks.md, "CPU per call").
 * HTTP/2 pseudo-headers (":path") are not headers and stay hidden.
 */
type Raw = Record<string, string | string[] | undefined>;

interface State {
  raw: Raw;
  /** True once `raw` is our own copy, free to change. */
  owned: boolean;
}

const kState = Symbol("light headers");

const WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** As fetch's Headers stores a value: leading and trailing HTTP whitespace removed. */
const normalise = (value: string) => {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first === 32 || first === 9 || first === 10 || first === 13 || last === 32 || last === 9 || last === 10 || last === 13
    ? value.replace(WHITESPACE, "")
    : value;
};

const joined = (value: string | string[]) => (typeof value === "string" ? normalise(value) : value.map(normalise).join(", "));

const isHeader = (name: string, value: unknown) => value !== undefined && name.charCodeAt(0) !== 58; /* ":" */

function writable(state: State): Raw {
  if (!state.owned) {
    const copy: Raw = {};
    for (const name in state.raw) {
      const value = state.raw[name];
      if (isHeader(name, value)) copy[name] = value;
    }
    state.raw = copy;
    state.owned = true;
  }
  return state.raw;
}

/** The names in the order fetch's Headers iterates them: sorted. */
function sortedNames(raw: Raw): string[] {
  const names: string[] = [];
  for (const name in raw) if (isHeader(name, raw[name])) names.push(name);
  return names.sort();
}

const stateOf = (headers: object) => (headers as { [kState]: State })[kState];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_IN_VALUE = /[\0\r\n]/;

/** The checks fetch's Headers makes of a name and value we set ourselves. */
function checked(name: string, value: string): [string, string] {
  const text = normalise(String(value));
  if (!TOKEN.test(name)) throw new TypeError(`Headers: invalid header name "${name}"`);
  if (FORBIDDEN_IN_VALUE.test(text)) throw new TypeError(`Headers: invalid value for header "${name}"`);
  return [name.toLowerCase(), text];
}

const proto = {
  get(name: string): string | null {
    const value = stateOf(this).raw[name.toLowerCase()];
    return value === undefined || name.charCodeAt(0) === 58 ? null : joined(value);
  },
  has(name: string): boolean {
    return this.get(name) !== null;
  },
  set(name: string, value: string): void {
    const [key, text] = checked(name, value);
    writable(stateOf(this))[key] = text;
  },
  append(name: string, value: string): void {
    const [key, next] = checked(name, value);
    const raw = writable(stateOf(this));
    const existing = raw[key];
    raw[key] = existing === undefined ? next : key === "set-cookie" ? [...[existing].flat(), next] : `${joined(existing)}, ${next}`;
  },
  delete(name: string): void {
    delete writable(stateOf(this))[name.toLowerCase()];
  },
  getSetCookie(): string[] {
    const value = stateOf(this).raw["set-cookie"];
    return value === undefined ? [] : [value].flat().map(normalise);
  },
  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    const raw = stateOf(this).raw;
    // Response headers are nearly always empty: no iterator for nothing.
    for (const name of sortedNames(raw)) {
      const value = raw[name]!;
      if (name === "set-cookie" && typeof value !== "string")
        for (const cookie of value) callback.call(thisArg, normalise(cookie), name, this as unknown as Headers);
      else callback.call(thisArg, joined(value), name, this as unknown as Headers);
    }
  },
  /** Sorted by name, as fetch's Headers iterates; each set-cookie value on its own. */
  *entries(): IterableIterator<[string, string]> {
    const raw = stateOf(this).raw;
    for (const name of sortedNames(raw)) {
      const value = raw[name]!;
      if (name === "set-cookie" && typeof value !== "string") for (const cookie of value) yield [name, normalise(cookie)];
      else yield [name, joined(value)];
    }
  },
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  },
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  },
  [Symbol.iterator]() {
    return this.entries();
  },
};

/** Headers backed by `raw` (not copied; never changed through this object). */
export function createLightHeaders(raw: Raw = {}): Headers {
  const headers = Object.create(proto) as { [kState]: State };
  headers[kState] = { raw, owned: false };
  return headers as unknown as Headers;
}
