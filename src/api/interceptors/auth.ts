import type { DescMessage } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import type { Authenticator } from "../../auth/authenticator.js";
import { Errors, ZError } from "../../errors.js";
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
    const fieldOrg =
      requirement.kind === "permission" && requirement.orgField && !req.stream
        ? organizationIn(req.method.input, req.message as unknown as Record<string, unknown>, requirement.orgField)
        : undefined;
    const requestedOrg = fieldOrg || req.header.get("x-zitadel-orgid");
    const orgId =
      requirement.kind === "permission" ? await authenticator.authorize(principal, requirement.permission, requestedOrg) : requestedOrg || principal.orgId;
    req.contextValues.set(kCaller, { principal, orgId });
    return next(req);
  };
}

/**
 * The organisation a v2 request names in its `org_field` (a
 * zitadel.object.v2.Organization): its org_id, or undefined when unset.
 */
function organizationIn(input: DescMessage, message: Record<string, unknown>, fieldName: string): string | undefined {
  const field = input.fields.find((f) => f.name === fieldName);
  const value = field ? (message[field.localName] as { org?: { case?: string; value?: string } } | undefined) : undefined;
  if (value?.org?.case === "orgDomain") throw new ZError(Errors.UserV2.OrgDomainUnsupported);
  return value?.org?.case === "orgId" ? value.org.value || undefined : undefined;
}
