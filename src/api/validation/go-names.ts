/**
 * Go spellings that PGV's messages contain: protoc-gen-go's field and type
 * names, strconv.Quote and time.Duration's String().
 */
import type { DescMessage } from "@bufbuild/protobuf";

// Field names that clash with methods of Go messages get a trailing underscore.
const GO_RESERVED = new Set(["Reset", "String", "ProtoMessage", "Marshal", "Unmarshal", "ExtensionRangeArray", "ExtensionMap", "Descriptor"]);

export function goFieldName(protoName: string): string {
  const name = goCamelCase(protoName);
  return GO_RESERVED.has(name) ? `${name}_` : name;
}

/** Go type name: nested messages are joined with "_", e.g. AddHumanUserRequest_Profile. */
export function goTypeName(schema: DescMessage): string {
  const pkg = schema.file.proto.package;
  const local = pkg === "" ? schema.typeName : schema.typeName.slice(pkg.length + 1);
  return local.split(".").map(goCamelCase).join("_");
}

/** protoc-gen-go's CamelCase: drop "_" before a lowercase letter and capitalise word starts. */
function goCamelCase(name: string): string {
  const isLower = (c: string | undefined) => c !== undefined && c >= "a" && c <= "z";
  let out = "";
  let i = 0;
  if (name.startsWith("_")) {
    out = "X";
    i = 1;
  }
  for (; i < name.length; i++) {
    const c = name.charAt(i);
    if (c === "_" && isLower(name[i + 1])) continue;
    if (c >= "0" && c <= "9") {
      out += c;
      continue;
    }
    out += isLower(c) ? c.toUpperCase() : c;
    while (isLower(name[i + 1])) out += name.charAt(++i);
  }
  return out;
}

const GO_ESCAPES: Record<string, string> = { "\x07": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v" };

/** Go's %q (strconv.Quote; a rune when `quote` is "'"), exact for ASCII control characters. */
export function goQuote(s: string, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const escaped = GO_ESCAPES[ch];
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (escaped !== undefined) out += `\\${escaped}`;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

/** Go's time.Duration String() for bounds below a minute (our protos use 0s). */
export function goDuration(nanos: number): string {
  if (nanos === 0) return "0s";
  if (nanos % 1e9 === 0) return `${nanos / 1e9}s`;
  return `${nanos}ns`;
}
