import type { Interceptor } from "@connectrpc/connect";
import type { Authenticator } from "../../auth/authenticator.js";
import { authRequirementOf } from "../auth-requirement.js";
import { kCaller } from "../context.js";

/**
 * Authenticates every call whose method asks for it (proto auth options),
 * checks a named permission in the organisation the call acts in, and stores
 * the caller in the context. Methods without an option are public.
 */
export function createAuthInterceptor(authenticator: Authenticator): Interceptor {
  return (next) => async (req) => {
    const requirement = authRequirementOf(req.method);
    if (requirement.kind === "public") return next(req);
    const principal = await authenticator.authenticate(req.header.get("authorization"));
    const requestedOrg = req.header.get("x-zitadel-orgid");
    const orgId =
      requirement.kind === "permission"
        ? await authenticator.authorize(principal, requirement.permission, requestedOrg)
        : requestedOrg || principal.orgId;
    req.contextValues.set(kCaller, { principal, orgId });
    return next(req);
  };
}
