import type { OidcConfigAddedPayload, ProjectAddedPayload } from "./events.js";

/** Commands on one project. Ids, client ids and secret hashes are made before `decide` runs. */
export type ProjectCommand =
  | { type: "AddProject"; project: ProjectAddedPayload }
  | { type: "AddOidcApp"; name: string; config: OidcConfigAddedPayload }
  | { type: "RemoveApp"; appId: string };
