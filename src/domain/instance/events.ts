/** Events of the instance and organisation aggregates (ZITADEL's type strings). */

export const INSTANCE_AGGREGATE = "instance";
export const ORG_AGGREGATE = "org";

export interface InstanceAddedPayload {
  name: string;
}

export interface DefaultOrgSetPayload {
  orgId: string;
}

export interface OrgAddedPayload {
  name: string;
}

export interface MemberAddedPayload {
  userId: string;
  roles: string[];
}

export type InstanceEvent =
  | { type: "instance.added"; payload: InstanceAddedPayload }
  | { type: "instance.default.org.set"; payload: DefaultOrgSetPayload }
  | { type: "instance.member.added"; payload: MemberAddedPayload };

export type OrgEvent = { type: "org.added"; payload: OrgAddedPayload } | { type: "org.member.added"; payload: MemberAddedPayload };
