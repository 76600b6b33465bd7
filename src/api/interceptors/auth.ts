import { getOption, hasOption, type DescMethod } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { auth_option } from "../../../gen/zitadel/options_pb.js";
import type { Authenticator } from "../../auth/authenticator.js";
import { kCaller } from "../context.js";

/**
 * Authenticates every call whose method carries a `zitadel.v1.auth_option`,
 * checks the permission it names in the organisation the call acts in, and
 * stores the caller in the context. Methods without the option are public.
 */
export function createAuthInterceptor(authenticator: Authenticator): Interceptor {
  const permissions = new WeakMap<DescMethod, string | null>();
  const permissionOf = (method: DescMethod) => {
    let permission = permissions.get(method);
    if (permission === undefined) {
      permission = hasOption(method, auth_option) ? getOption(method, auth_option).permission : null;
      permissions.set(method, permission);
    }
    return permission;
  };
  return (next) => async (req) => {
    const permission = permissionOf(req.method);
    if (permission === null) return next(req);
    const principal = await authenticator.authenticate(req.header.get("authorization"));
    const orgId = await authenticator.authorize(principal, permission, req.header.get("x-zitadel-orgid"));
    req.contextValues.set(kCaller, { principal, orgId });
    return next(req);
  };
}
