/**
 * Events of the organisation aggregate (ZITADEL's type strings and payload
 * names). Memberships live on the organisation, as in ZITADEL.
 */

export const ORG_AGGREGATE = "org";

export interface OrgAddedPayload {
  name: string;
}

export interface OrgDomainPayload {
  domain: string;
}

export interface OrgMemberPayload {
  userId: string;
  roles: string[];
}

export interface OrgMemberRemovedPayload {
  userId: string;
}

export type OrgEvent =
  | { type: "org.added"; payload: OrgAddedPayload }
  | { type: "org.domain.added"; payload: OrgDomainPayload }
  | { type: "org.domain.verified"; payload: OrgDomainPayload }
  | { type: "org.domain.primary.set"; payload: OrgDomainPayload }
  | { type: "org.member.added"; payload: OrgMemberPayload }
  | { type: "org.member.changed"; payload: OrgMemberPayload }
  | { type: "org.member.removed"; payload: OrgMemberRemovedPayload }
  | { type: "org.member.cascade.removed"; payload: OrgMemberRemovedPayload };
