/** Offset paging of list requests (zitadel.v1.ListQuery without wire types). */
export interface Page {
  readonly offset: number;
  /** 0 = the default. */
  readonly limit: number;
  readonly asc: boolean;
}

/** ZITADEL's default and largest page size for list requests. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** `LIMIT ? OFFSET ?` parameters for a page. */
export function pageParams(page: Page | undefined): [number, number] {
  const limit = Math.min(page?.limit || DEFAULT_LIMIT, MAX_LIMIT);
  return [limit, page?.offset ?? 0];
}

export interface ListResult<T> {
  readonly total: number;
  readonly items: readonly T[];
  /** When the read model was read. */
  readonly viewTimestamp: Date;
}
