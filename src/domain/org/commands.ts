/** Commands on one organisation. Ids and the domain are made before `decide` runs. */
export type OrgCommand =
  | { type: "AddOrg"; name: string; primaryDomain: string; ownerId: string }
  | { type: "AddMember"; userId: string; roles: string[] }
  | { type: "RemoveMember"; userId: string };

/** The role the creator of an organisation gets there. */
export const ORG_OWNER_ROLE = "ORG_OWNER";
