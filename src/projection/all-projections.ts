import type { Projection } from "./projection.js";
import { instanceProjection, memberProjection, orgProjection, patProjection } from "./access-projections.js";
import { userProjection } from "./user-projection.js";
import { identityProjections } from "./identity-projections.js";
import { lockoutPolicyProjection } from "./lockout-policy-projection.js";
import { lockoutScheduleProjection } from "./lockout-schedule-projection.js";
import { signInProjection } from "./sign-in-projection.js";
import { sessionProjection } from "./session-projection.js";
import { projectProjection } from "./project-projection.js";
import { mailOutboxProjection, unlockLinkProjection } from "./mail-projections.js";

/**
 * Every read model Latchkey serves. The composition root hands them to the
 * store; the SQLite writer thread imports this module by URL (its own bundle,
 * `dist/projections.js`) and takes the ones it is named.
 */
export const projections: readonly Projection[] = [
  instanceProjection,
  orgProjection,
  memberProjection,
  userProjection,
  patProjection,
  ...identityProjections,
  signInProjection,
  lockoutPolicyProjection,
  lockoutScheduleProjection,
  sessionProjection,
  projectProjection,
  mailOutboxProjection,
  unlockLinkProjection,
];

export const allProjections = projections;

/**
 * This module's URL as a worker thread imports it: the source file when run
 * from TypeScript, `projections.js` beside the bundle when built (package.json).
 */
export const projectionsModule = import.meta.url.endsWith(".ts") ? import.meta.url : new URL("./projections.js", import.meta.url).href;
