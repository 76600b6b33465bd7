/** Reading `postgres://` URLs (LATCHKEY_DATABASE); pure, so the configuration can check them too. */

export interface PostgresTarget {
  /** The URL for the driver: a `schema` / `search_path` parameter becomes `options=-c search_path=…`. */
  readonly connectionString: string;
  /** The schema Latchkey's tables live in; undefined = the server's default search_path. */
  readonly schema?: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/**
 * Reads the schema from `?schema=name`, `?search_path=name` or
 * `?options=-c search_path=name`. The server knows only the last form, so
 * the first two are rewritten into it. Throws an Error saying what is wrong.
 */
export function parsePostgresUrl(database: string): PostgresTarget {
  if (!isPostgresUrl(database)) throw new Error("must start with postgres:// or postgresql://");
  let url: URL;
  try {
    url = new URL(database);
  } catch {
    throw new Error("is not a valid URL");
  }
  if (!url.hostname && !url.searchParams.get("host")) throw new Error("needs a host, as in postgres://user@db.example:5432/latchkey");
  const fromParam = url.searchParams.get("schema") ?? url.searchParams.get("search_path") ?? undefined;
  url.searchParams.delete("schema");
  url.searchParams.delete("search_path");
  const options = url.searchParams.get("options") ?? "";
  const fromOptions = /(?:^|\s)(?:-c\s*|--)search_path=(\S+)/.exec(options)?.[1];
  if (fromParam !== undefined && fromOptions !== undefined) throw new Error("names the schema twice (schema= and options=-c search_path=)");
  const schema = fromParam ?? fromOptions;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`schema "${schema}" must be one plain name (letters, digits, underscores)`);
  }
  if (fromParam !== undefined) url.searchParams.set("options", `${options ? `${options} ` : ""}-c search_path=${fromParam}`);
  return { connectionString: url.toString(), schema };
}
