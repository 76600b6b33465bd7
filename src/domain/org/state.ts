/** What the organisation aggregate knows about itself, folded from its events. */
export interface OrgState {
  readonly status: "unspecified" | "active";
  readonly name?: string;
  readonly primaryDomain?: string;
  /** Roles by member user id. */
  readonly members: Readonly<Record<string, readonly string[]>>;
}

export const initialOrgState: OrgState = Object.freeze({ status: "unspecified", members: {} });
