import type { Projection } from "./projection.js";
import { instanceProjection, memberProjection, orgProjection, patProjection } from "./access-projections.js";
import { userProjection } from "./user-projection.js";
import { identityProjections } from "./identity-projections.js";
import { lockoutPolicyProjection } from "./lockout-policy-projection.js";
import { signInProjection } from "./sign-in-projection.js";

/** Every read model, applied inline on append. */
export const allProjections: readonly Projection[] = [
  instanceProjection,
  orgProjection,
  memberProjection,
  userProjection,
  patProjection,
  ...identityProjections,
  signInProjection,
  lockoutPolicyProjection,
];
