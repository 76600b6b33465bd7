import { OAuthError } from "./oauth-error.js";

const PROJECT_AUDIENCE = /^urn:zitadel:iam:org:project:id:([^:]+):aud$/;
const ORG_ID = /^urn:zitadel:iam:org:id:(.+)$/;
const STANDARD = new Set(["openid", "profile", "email", "phone", "address", "offline_access"]);

export interface GrantedScopes {
  /** The scopes granted, in the order asked for; unknown scopes are dropped. */
  readonly scopes: string[];
  /** Audiences the scopes add (the API's project id for `…:zitadel:aud`). */
  readonly audience: string[];
  /** The organisation asked for with `urn:zitadel:iam:org:id:{id}`, if any. */
  readonly orgId?: string;
}

/**
 * Reads the `scope` parameter as ZITADEL does for service accounts: it must
 * be present and contain `openid`; `urn:zitadel:iam:org:project:id:zitadel:aud`
 * (or the API's project id in place of `zitadel`) adds the API's audience.
 */
export function grantScopes(scope: string | null, apiProjectId: string): GrantedScopes {
  const requested = (scope ?? "").split(" ").filter(Boolean);
  if (requested.length === 0) throw new OAuthError("invalid_request", "The scope of your request is missing");
  const granted: string[] = [];
  const audience = new Set<string>();
  let orgId: string | undefined;
  for (const item of new Set(requested)) {
    const project = PROJECT_AUDIENCE.exec(item);
    const org = ORG_ID.exec(item);
    if (project && (project[1] === "zitadel" || project[1] === apiProjectId)) audience.add(apiProjectId);
    else if (org) {
      if (orgId !== undefined && orgId !== org[1]) throw new OAuthError("invalid_scope", "Only one organisation may be requested");
      orgId = org[1];
    } else if (!STANDARD.has(item)) continue;
    granted.push(item);
  }
  if (!granted.includes("openid")) throw new OAuthError("invalid_scope", "The scope openid is missing in your request");
  return { scopes: granted, audience: [...audience], orgId };
}
