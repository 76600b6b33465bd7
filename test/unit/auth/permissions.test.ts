import { describe, expect, it } from "vitest";
import { rolePermissions, rolesGrant } from "../../../src/auth/permissions.js";

// ZITADEL's default role mapping for the permissions the API checks (fact sheet §6.4).
const columns = [
  "user.read",
  "user.write",
  "user.delete",
  "policy.read",
  "policy.write",
  "policy.delete",
  "org.read",
  "org.create",
  "org.member.read",
  "org.member.write",
  "org.member.delete",
];
const matrix: Record<string, string> = {
  IAM_OWNER: "11111111111",
  IAM_OWNER_VIEWER: "10010010100",
  IAM_ORG_MANAGER: "11111111111",
  IAM_USER_MANAGER: "11100010101",
  IAM_LOGIN_CLIENT: "11010010110",
  ORG_OWNER: "11111110111",
  ORG_OWNER_VIEWER: "10010010100",
  ORG_USER_MANAGER: "11110010000",
  ORG_SETTINGS_MANAGER: "00011110100",
  ORG_USER_PERMISSION_EDITOR: "10010010100",
  ORG_PROJECT_PERMISSION_EDITOR: "10010010100",
  ORG_PROJECT_CREATOR: "00010000000",
  SELF_MANAGEMENT_GLOBAL: "00010001000",
  ORG_USER_SELF_MANAGER: "00010000000",
};

describe("role → permission table", () => {
  it.each(Object.entries(matrix))("%s grants exactly ZITADEL's defaults", (role, row) => {
    const granted = columns.map((permission) => (rolesGrant([role], permission) ? "1" : "0")).join("");
    expect(granted).toBe(row);
  });

  it("covers every role it defines, and unknown roles grant nothing", () => {
    expect(Object.keys(rolePermissions).sort()).toEqual(Object.keys(matrix).sort());
    expect(rolesGrant(["PROJECT_OWNER", "made-up"], "user.read")).toBe(false);
  });

  // Project permissions as ZITADEL maps them, except that ORG_OWNER also gets project.app.delete (ZITADEL's table omits it).
  const projectColumns = ["project.read", "project.create", "project.write", "project.delete", "project.app.read", "project.app.write", "project.app.delete"];
  const projectMatrix: Record<string, string> = {
    IAM_OWNER: "1111111",
    IAM_OWNER_VIEWER: "1000100",
    IAM_ORG_MANAGER: "1111111",
    IAM_USER_MANAGER: "1000100",
    IAM_LOGIN_CLIENT: "1000100",
    ORG_OWNER: "1111111",
    ORG_OWNER_VIEWER: "1000100",
    ORG_USER_MANAGER: "1000000",
    ORG_SETTINGS_MANAGER: "0000000",
    ORG_USER_PERMISSION_EDITOR: "1000100",
    ORG_PROJECT_PERMISSION_EDITOR: "1000100",
    ORG_PROJECT_CREATOR: "0100000",
    SELF_MANAGEMENT_GLOBAL: "0000000",
    ORG_USER_SELF_MANAGER: "0000000",
  };
  it.each(Object.entries(projectMatrix))("%s grants the project permissions ZITADEL grants", (role, row) => {
    expect(projectColumns.map((permission) => (rolesGrant([role], permission) ? "1" : "0")).join("")).toBe(row);
  });

  it("gives the session permissions ZITADEL gives", () => {
    expect(rolePermissions.IAM_OWNER).toEqual(expect.arrayContaining(["session.read", "session.write", "session.delete"]));
    expect(rolePermissions.ORG_USER_MANAGER).toEqual(expect.arrayContaining(["session.read", "session.delete"]));
    expect(rolePermissions.ORG_USER_MANAGER).not.toContain("session.write");
  });
});
