/**
 * PGV's email rule: Go's net/mail.ParseAddress, then at most 254 bytes in total,
 * at most 64 in the local part, and a valid hostname after the "@". The parser
 * below follows ParseAddress's grammar and error texts for a single address
 * (display names, angle brackets, comments and groups).
 */
import { isIP } from "node:net";
import { goQuote } from "./go-names.js";

const utf8Length = (s: string) => Buffer.byteLength(s, "utf8");

// Plain ASCII "dot-atom@dot-atom", which ParseAddress returns unchanged: most
// addresses take this path and skip the parser.
const ATEXT = "[\\w!#$%&'*+/=?^`{|}~-]+";
const SIMPLE_ADDRESS = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*@${ATEXT}(?:\\.${ATEXT})*$`);

export function emailError(input: string): string | undefined {
  const simple = SIMPLE_ADDRESS.test(input);
  const parsed = simple ? input : parseMailAddress(input);
  if (typeof parsed !== "string") return parsed.error;
  const size = simple ? (s: string) => s.length : utf8Length;
  if (size(parsed) > 254) return "email addresses cannot exceed 254 characters";
  const at = parsed.indexOf("@");
  if (size(parsed.slice(0, at)) > 64) return "email address local phrase cannot exceed 64 characters";
  return hostnameError(parsed.slice(at + 1));
}

// Hostnames that pass every check below; anything else takes the slow path,
// which finds the reason.
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const VALID_HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`, "i");

export function hostnameError(host: string): string | undefined {
  if (host.length <= 253 && VALID_HOSTNAME.test(host)) return undefined;
  const s = (host.endsWith(".") ? host.slice(0, -1) : host).toLowerCase();
  if (utf8Length(host) > 253) return "hostname cannot exceed 253 characters";
  for (const part of s.split(".")) {
    const length = utf8Length(part);
    if (length === 0 || length > 63) return "hostname part must be non-empty and cannot exceed 63 characters";
    if (part.startsWith("-")) return "hostname parts cannot begin with hyphens";
    if (part.endsWith("-")) return "hostname parts cannot end with hyphens";
    for (const ch of part) {
      if (!((ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") || ch === "-")) {
        return `hostname parts can only contain alphanumeric characters or hyphens, got ${goQuote(ch)}`;
      }
    }
  }
  return undefined;
}

interface MailError {
  readonly error: string;
}
interface Cursor {
  s: string;
}
const mailError = (text: string): MailError => ({ error: `mail: ${text}` });
const failed = (x: unknown): x is MailError => typeof x === "object" && x !== null && "error" in x;

const SPECIALS = '()<>[]:;@\\,"';
const isVchar = (ch: string) => (ch >= "!" && ch <= "~") || (ch.codePointAt(0) as number) >= 0x80;
const isAtext = (ch: string, dot: boolean) => (ch === "." ? dot : !SPECIALS.includes(ch) && isVchar(ch));
const isWsp = (ch: string) => ch === " " || ch === "\t";

function skipSpace(p: Cursor): void {
  let i = 0;
  while (i < p.s.length && isWsp(p.s.charAt(i))) i++;
  if (i > 0) p.s = p.s.slice(i);
}

function consume(p: Cursor, ch: string): boolean {
  if (!p.s.startsWith(ch)) return false;
  p.s = p.s.slice(1);
  return true;
}

/** Returns the bare address ("local@domain") or Go's error text. */
function parseMailAddress(input: string): string | MailError {
  const p: Cursor = { s: input };
  const addresses = parseAddressList(p, true);
  if (failed(addresses)) return addresses;
  if (!skipComments(p)) return mailError("misformatted parenthetical comment");
  if (p.s !== "") return mailError(`expected single address, got ${goQuote(p.s)}`);
  if (addresses.length === 0) return mailError("empty group");
  if (addresses.length > 1) return mailError("group with multiple addresses");
  return addresses[0] as string;
}

function parseAddressList(p: Cursor, allowGroup: boolean): string[] | MailError {
  skipSpace(p);
  if (p.s === "") return mailError("no address");
  // A bare addr-spec is tried first; otherwise "display name <addr-spec>".
  const start = p.s;
  const spec = consumeAddrSpec(p);
  if (!failed(spec)) {
    skipSpace(p);
    if (consume(p, "(") && !skipCommentBody(p)) return mailError("misformatted parenthetical comment");
    return [spec];
  }
  p.s = start;
  let displayName = "";
  if (!p.s.startsWith("<")) {
    const phrase = consumePhrase(p);
    if (failed(phrase)) return phrase;
    displayName = phrase;
  }
  skipSpace(p);
  if (allowGroup && consume(p, ":")) return consumeGroup(p);
  if (!consume(p, "<")) {
    const plain = [...displayName].every((ch) => isAtext(ch, true));
    return mailError(plain ? "missing '@' or angle-addr" : "no angle-addr");
  }
  const inner = consumeAddrSpec(p);
  if (failed(inner)) return inner;
  if (!consume(p, ">")) return mailError("unclosed angle-addr");
  return [inner];
}

function consumeGroup(p: Cursor): string[] | MailError {
  const group: string[] = [];
  skipSpace(p);
  if (consume(p, ";")) return skipComments(p) ? group : mailError("misformatted parenthetical comment");
  for (;;) {
    skipSpace(p);
    const members = parseAddressList(p, false);
    if (failed(members)) return members;
    group.push(...members);
    if (!skipComments(p)) return mailError("misformatted parenthetical comment");
    if (consume(p, ";")) return skipComments(p) ? group : mailError("misformatted parenthetical comment");
    if (!consume(p, ",")) return mailError("expected comma");
  }
}

function consumeAddrSpec(p: Cursor): string | MailError {
  const start = p.s;
  const result = addrSpec(p);
  if (failed(result)) p.s = start;
  return result;
}

function addrSpec(p: Cursor): string | MailError {
  skipSpace(p);
  if (p.s === "") return mailError("no addr-spec");
  let local: string | MailError;
  if (p.s.startsWith('"')) {
    // Go reports any failure inside the quotes as an empty quoted string.
    local = consumeQuoted(p);
    if (failed(local) || local === "") local = mailError("empty quoted string in addr-spec");
  } else {
    local = consumeAtom(p, true, false);
  }
  if (failed(local)) return local;
  if (!consume(p, "@")) return mailError("missing @ in addr-spec");
  skipSpace(p);
  if (p.s === "") return mailError("no domain in addr-spec");
  const domain = p.s.startsWith("[") ? consumeDomainLiteral(p) : consumeAtom(p, true, false);
  if (failed(domain)) return domain;
  return `${local}@${domain}`;
}

function consumeAtom(p: Cursor, dot: boolean, permissive: boolean): string | MailError {
  let i = 0;
  for (const ch of p.s) {
    if (!isAtext(ch, dot)) break;
    i += ch.length;
  }
  if (i === 0) return mailError("invalid string");
  const atom = p.s.slice(0, i);
  p.s = p.s.slice(i);
  if (!permissive) {
    if (atom.startsWith(".")) return mailError("leading dot in atom");
    if (atom.includes("..")) return mailError("double dot in atom");
    if (atom.endsWith(".")) return mailError("trailing dot in atom");
  }
  return atom;
}

function consumeQuoted(p: Cursor): string | MailError {
  let text = "";
  let escaped = false;
  let i = 1;
  for (;;) {
    const cp = p.s.codePointAt(i);
    if (cp === undefined) return mailError("unclosed quoted-string");
    const ch = String.fromCodePoint(cp);
    if (escaped) {
      if (!isVchar(ch) && !isWsp(ch)) return mailError(`bad character in quoted-string: ${goQuote(ch, "'")}`);
      text += ch;
      escaped = false;
    } else if ((isVchar(ch) && ch !== '"' && ch !== "\\") || isWsp(ch)) {
      text += ch;
    } else if (ch === '"') {
      break;
    } else if (ch === "\\") {
      escaped = true;
    } else {
      return mailError(`bad character in quoted-string: ${goQuote(ch, "'")}`);
    }
    i += ch.length;
  }
  p.s = p.s.slice(i + 1);
  return text;
}

function consumeDomainLiteral(p: Cursor): string | MailError {
  let text = "";
  for (const ch of p.s.slice(1)) {
    if (ch === "]") {
      p.s = p.s.slice(text.length + 2);
      if (isIP(text) === 0) return mailError(`invalid IP address in domain-literal: ${goQuote(text)}`);
      return `[${text}]`;
    }
    if (ch === "[" || ch === "\\" || !isVchar(ch)) return mailError(`bad character in domain-literal: ${goQuote(ch, "'")}`);
    text += ch;
  }
  return mailError("unclosed domain-literal");
}

function consumePhrase(p: Cursor): string | MailError {
  const words: string[] = [];
  let error: MailError | undefined;
  for (;;) {
    if (words.length > 0 && !skipComments(p)) return mailError("misformatted parenthetical comment");
    skipSpace(p);
    if (p.s === "") break;
    const word = p.s.startsWith('"') ? consumeQuoted(p) : checkCharset(consumeAtom(p, true, true));
    if (failed(word)) {
      error = word;
      break;
    }
    words.push(word);
  }
  if (error !== undefined && words.length === 0) return mailError(`missing word in phrase: ${error.error}`);
  return words.join(" ");
}

// Go decodes RFC 2047 words in display names and fails on charsets it lacks;
// the decoded text itself is discarded here, so only that failure matters.
const ENCODED_WORD = /^=\?([^?]+)\?[bBqQ]\?[^?]*\?=$/;
const KNOWN_CHARSETS = new Set(["utf-8", "iso-8859-1", "us-ascii"]);

function checkCharset(word: string | MailError): string | MailError {
  if (failed(word)) return word;
  const charset = ENCODED_WORD.exec(word)?.[1];
  if (charset === undefined || KNOWN_CHARSETS.has(charset.toLowerCase())) return word;
  return { error: `charset not supported: ${goQuote(charset)}` };
}

/** Skips white space and (nested) comments; false if a comment is unclosed. */
function skipComments(p: Cursor): boolean {
  skipSpace(p);
  while (consume(p, "(")) {
    if (!skipCommentBody(p)) return false;
    skipSpace(p);
  }
  return true;
}

/** Consumes a comment whose "(" is already consumed; false if it never closes. */
function skipCommentBody(p: Cursor): boolean {
  let depth = 1;
  let i = 0;
  while (i < p.s.length && depth > 0) {
    const ch = p.s.charAt(i);
    if (ch === "\\" && p.s.length - i > 1) i++;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    i++;
  }
  p.s = p.s.slice(i);
  return depth === 0;
}
