import type { OidcClientQueries } from "../query/oidc-clients.js";

/** A registry without applications: every client id is unknown. */
export const noOidcClients: OidcClientQueries = {
  findByClientId: async () => undefined,
  verifySecret: async () => false,
};
