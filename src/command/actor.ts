import type { CallWrites } from "./call-writes.js";

/** Who acts, and in which organisation. */
export interface Actor {
  readonly instanceId: string;
  readonly orgId: string;
  readonly userId: string;
  /** The API call's writes (see call-writes.ts). */
  readonly writes?: CallWrites;
}

/** ObjectDetails without wire types. */
export interface Details {
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
  readonly resourceOwner: string;
}

export function toDetails(result: { readonly sequence: number; readonly creationDate: Date; readonly changeDate: Date; readonly owner: string }): Details {
  return {
    sequence: result.sequence,
    creationDate: result.creationDate,
    changeDate: result.changeDate,
    resourceOwner: result.owner,
  };
}
