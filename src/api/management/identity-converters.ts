import { create } from "@bufbuild/protobuf";
import { timestampFromDate, timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { KeySchema, type Key } from "../../../gen/zitadel/auth_n_key_pb.js";
import { ChangeSchema, type Change } from "../../../gen/zitadel/change_pb.js";
import { MemberSchema, type Member } from "../../../gen/zitadel/member_pb.js";
import { ListDetailsSchema, type ListDetails, type ListQuery } from "../../../gen/zitadel/object_pb.js";
import { OrgSchema, OrgState, type Org } from "../../../gen/zitadel/org_pb.js";
import { PersonalAccessTokenSchema, Type, type PersonalAccessToken } from "../../../gen/zitadel/user_pb.js";
import type { ChangeView } from "../../query/change-queries.js";
import type { CredentialView } from "../../query/credential-queries.js";
import type { MemberView, OrgView } from "../../query/org-queries.js";
import type { ListResult, Page } from "../../query/paging.js";
import { toObjectDetails } from "./converters.js";
import { eventTypeKey, eventTypeText } from "./event-type-texts.js";

export function toPage(query: ListQuery | undefined): Page {
  return { offset: Number(query?.offset ?? 0n), limit: query?.limit ?? 0, asc: query?.asc ?? false };
}

export function toListDetails(result: ListResult<unknown>): ListDetails {
  return create(ListDetailsSchema, { totalResult: BigInt(result.total), viewTimestamp: timestampFromDate(result.viewTimestamp) });
}

export function toDateOrUndefined(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp ? timestampDate(timestamp) : undefined;
}

const details = (view: { sequence: number; creationDate: Date; changeDate: Date; resourceOwner: string }) => toObjectDetails(view);

export function toKey(view: CredentialView): Key {
  return create(KeySchema, { id: view.id, details: details(view), type: view.type, expirationDate: timestampFromDate(view.expirationDate) });
}

export function toPersonalAccessToken(view: CredentialView): PersonalAccessToken {
  return create(PersonalAccessTokenSchema, {
    id: view.id,
    details: details(view),
    expirationDate: timestampFromDate(view.expirationDate),
    scopes: ["openid"],
  });
}

const orgStates = { active: OrgState.ACTIVE, inactive: OrgState.INACTIVE, removed: OrgState.REMOVED } as const;

export function toOrg(view: OrgView): Org {
  return create(OrgSchema, {
    id: view.id,
    details: details({ ...view, resourceOwner: view.id }),
    state: orgStates[view.state] ?? OrgState.UNSPECIFIED,
    name: view.name,
    primaryDomain: view.primaryDomain,
  });
}

export function toMember(view: MemberView): Member {
  return create(MemberSchema, {
    userId: view.userId,
    details: details(view),
    roles: [...view.roles],
    preferredLoginName: view.userName,
    email: view.email,
    firstName: view.firstName,
    lastName: view.lastName,
    displayName: view.displayName,
    userType: view.userType === "machine" ? Type.MACHINE : Type.HUMAN,
    userResourceOwner: view.userResourceOwner,
  });
}

export function toChange(view: ChangeView): Change {
  return create(ChangeSchema, {
    changeDate: timestampFromDate(view.changeDate),
    eventType: { key: eventTypeKey(view.eventType), localizedMessage: eventTypeText(view.eventType) },
    sequence: BigInt(view.sequence),
    editorId: view.editorId,
    editorDisplayName: view.editorDisplayName,
    resourceOwnerId: view.resourceOwner,
    editorPreferredLoginName: view.editorPreferredLoginName,
  });
}
