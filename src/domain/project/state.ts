/** What the project aggregate knows about itself, folded from its events. */
export interface ProjectState {
  readonly status: "unspecified" | "active";
  readonly name?: string;
  /** The project's live applications by id (removed ones are dropped). */
  readonly apps: Readonly<Record<string, { readonly name: string }>>;
}

export const initialProjectState: ProjectState = Object.freeze({ status: "unspecified", apps: {} });
