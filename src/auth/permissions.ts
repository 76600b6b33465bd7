/**
 * Which permissions each role grants, after ZITADEL's default role mapping.
 * Instance roles (IAM_*) apply in every organisation of the instance; ORG_*
 * roles only in their own organisation.
 */
const USER_RW = [
  "user.read",
  "user.write",
  "user.delete",
  "user.global.read",
  "user.grant.read",
  "user.grant.write",
  "user.grant.delete",
  "user.membership.read",
];
const POLICY_RW = ["policy.read", "policy.write", "policy.delete"];
const ORG_MEMBERS_RW = ["org.member.read", "org.member.write", "org.member.delete"];
const SESSION_ALL = ["session.read", "session.write", "session.link", "session.delete"];
const PROJECT_ALL = ["project.read", "project.create", "project.write", "project.delete", "project.app.read", "project.app.write", "project.app.delete"];
const PROJECT_READ = ["project.read", "project.app.read"];

export const rolePermissions: Readonly<Record<string, readonly string[]>> = {
  IAM_OWNER: [
    ...USER_RW,
    ...POLICY_RW,
    "org.read",
    "org.create",
    "org.write",
    "org.delete",
    ...ORG_MEMBERS_RW,
    ...SESSION_ALL,
    "iam.read",
    "iam.write",
    "iam.member.read",
    "iam.member.write",
    "iam.member.delete",
    ...PROJECT_ALL,
  ],
  IAM_OWNER_VIEWER: [
    "user.read",
    "user.global.read",
    "policy.read",
    "org.read",
    "org.member.read",
    "session.read",
    "iam.read",
    "iam.member.read",
    ...PROJECT_READ,
  ],
  IAM_ORG_MANAGER: [
    ...USER_RW,
    ...POLICY_RW,
    "org.read",
    "org.create",
    "org.write",
    "org.delete",
    ...ORG_MEMBERS_RW,
    "session.read",
    "session.delete",
    ...PROJECT_ALL,
  ],
  IAM_USER_MANAGER: [...USER_RW, "org.read", "org.member.read", "org.member.delete", "session.read", "session.delete", ...PROJECT_READ],
  IAM_LOGIN_CLIENT: [
    "user.read",
    "user.write",
    "user.global.read",
    "policy.read",
    "org.read",
    "org.member.read",
    "org.member.write",
    "session.read",
    "session.write",
    "session.link",
    "session.delete",
    ...PROJECT_READ,
  ],
  ORG_OWNER: [
    ...USER_RW,
    "user.credential.write",
    "user.passkey.write",
    ...POLICY_RW,
    "org.read",
    "org.write",
    "org.delete",
    ...ORG_MEMBERS_RW,
    "session.read",
    "session.delete",
    ...PROJECT_ALL,
  ],
  ORG_OWNER_VIEWER: ["user.read", "user.global.read", "policy.read", "org.read", "org.member.read", ...PROJECT_READ],
  ORG_USER_MANAGER: [...USER_RW, "policy.read", "org.read", "session.read", "session.delete", "project.read"],
  ORG_SETTINGS_MANAGER: [...POLICY_RW, "org.read", "org.member.read"],
  ORG_USER_PERMISSION_EDITOR: ["user.read", "user.global.read", "policy.read", "org.read", "org.member.read", ...PROJECT_READ],
  ORG_PROJECT_PERMISSION_EDITOR: ["user.read", "user.global.read", "policy.read", "org.read", "org.member.read", ...PROJECT_READ],
  ORG_PROJECT_CREATOR: ["user.global.read", "policy.read", "project.create"],
  ORG_USER_SELF_MANAGER: ["policy.read", "user.self.delete"],
  SELF_MANAGEMENT_GLOBAL: ["policy.read", "org.create", "user.self.delete"],
};

export const INSTANCE_ROLES = Object.keys(rolePermissions).filter((role) => role.startsWith("IAM_"));
export const ORG_ROLES = Object.keys(rolePermissions).filter((role) => role.startsWith("ORG_"));

export function rolesGrant(roles: readonly string[], permission: string): boolean {
  return roles.some((role) => rolePermissions[role]?.includes(permission) ?? false);
}
