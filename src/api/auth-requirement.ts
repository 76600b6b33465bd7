import { getOption, hasOption, type DescMethod } from "@bufbuild/protobuf";
import { options as v2Options } from "../../gen/zitadel/protoc_gen_zitadel/v2/options_pb.js";
import { auth_option as v1AuthOption } from "../../gen/zitadel/options_pb.js";

/** What a method asks of its caller, read from the proto options. */
export type AuthRequirement =
  /** No option: callable without a token (Healthz, discovery). */
  | { readonly kind: "public" }
  /** A valid token only; the command checks permissions on the resource (v2 "authenticated"). */
  | { readonly kind: "authenticated" }
  /**
   * A valid token and this permission in the organisation in context; for
   * v2 methods with an `org_field`, the organisation that request field names.
   */
  | { readonly kind: "permission"; readonly permission: string; readonly orgField?: string };

const cache = new WeakMap<DescMethod, AuthRequirement>();

/** v1 methods carry `zitadel.v1.auth_option`, v2 methods `zitadel.protoc_gen_zitadel.v2.options`. */
export function authRequirementOf(method: DescMethod): AuthRequirement {
  let requirement = cache.get(method);
  if (!requirement) {
    requirement = readRequirement(method);
    cache.set(method, requirement);
  }
  return requirement;
}

function readRequirement(method: DescMethod): AuthRequirement {
  let permission: string | undefined;
  let orgField: string | undefined;
  if (hasOption(method, v1AuthOption)) permission = getOption(method, v1AuthOption).permission;
  else if (hasOption(method, v2Options)) {
    const authOption = getOption(method, v2Options).authOption;
    permission = authOption?.permission;
    orgField = authOption?.orgField || undefined;
  }
  if (!permission) return { kind: "public" };
  if (permission === "authenticated") return { kind: "authenticated" };
  return orgField ? { kind: "permission", permission, orgField } : { kind: "permission", permission };
}

/** The HTTP status of a successful REST answer (v2 methods may set one, e.g. 201). */
export function successCodeOf(method: DescMethod): number {
  if (!hasOption(method, v2Options)) return 200;
  return getOption(method, v2Options).httpResponse?.successCode || 200;
}
