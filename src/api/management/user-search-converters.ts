import { TextQueryMethod } from "../../../gen/zitadel/object_pb.js";
import { Type, UserFieldName, UserState, type SearchQuery } from "../../../gen/zitadel/user_pb.js";
import type { UserStateName } from "../../query/user-queries.js";
import type { TextField, TextMethod, UserFilter, UserSortColumn } from "../../query/user-search.js";

/** zitadel.user.v1.SearchQuery (v1 numbering) → read-side filters. */

const textMethods: Record<TextQueryMethod, { method: TextMethod; ignoreCase: boolean }> = {
  [TextQueryMethod.EQUALS]: { method: "equals", ignoreCase: false },
  [TextQueryMethod.EQUALS_IGNORE_CASE]: { method: "equals", ignoreCase: true },
  [TextQueryMethod.STARTS_WITH]: { method: "startsWith", ignoreCase: false },
  [TextQueryMethod.STARTS_WITH_IGNORE_CASE]: { method: "startsWith", ignoreCase: true },
  [TextQueryMethod.CONTAINS]: { method: "contains", ignoreCase: false },
  [TextQueryMethod.CONTAINS_IGNORE_CASE]: { method: "contains", ignoreCase: true },
  [TextQueryMethod.ENDS_WITH]: { method: "endsWith", ignoreCase: false },
  [TextQueryMethod.ENDS_WITH_IGNORE_CASE]: { method: "endsWith", ignoreCase: true },
};

// Deleted users are never listed; no user is "suspended".
const states: Partial<Record<UserState, UserStateName>> = {
  [UserState.ACTIVE]: "active",
  [UserState.INACTIVE]: "inactive",
  [UserState.LOCKED]: "locked",
  [UserState.INITIAL]: "initial",
};

const sortColumns: Partial<Record<UserFieldName, UserSortColumn>> = {
  [UserFieldName.USER_NAME]: "userName",
  [UserFieldName.FIRST_NAME]: "firstName",
  [UserFieldName.LAST_NAME]: "lastName",
  [UserFieldName.NICK_NAME]: "nickName",
  [UserFieldName.DISPLAY_NAME]: "displayName",
  [UserFieldName.EMAIL]: "email",
  [UserFieldName.STATE]: "state",
  [UserFieldName.TYPE]: "type",
  [UserFieldName.CREATION_DATE]: "creationDate",
};

export function toSortColumn(field: UserFieldName): UserSortColumn | undefined {
  return sortColumns[field];
}

const text = (field: TextField, value: string, method: TextQueryMethod): UserFilter => ({ kind: "text", field, value, ...textMethods[method] });

export function toUserFilter(query: SearchQuery): UserFilter {
  const q = query.query;
  switch (q.case) {
    case "userNameQuery":
      return text("userName", q.value.userName, q.value.method);
    case "firstNameQuery":
      return text("firstName", q.value.firstName, q.value.method);
    case "lastNameQuery":
      return text("lastName", q.value.lastName, q.value.method);
    case "nickNameQuery":
      return text("nickName", q.value.nickName, q.value.method);
    case "displayNameQuery":
      return text("displayName", q.value.displayName, q.value.method);
    case "emailQuery":
      return text("email", q.value.emailAddress, q.value.method);
    case "loginNameQuery":
      return text("loginName", q.value.loginName, q.value.method);
    case "stateQuery":
      return { kind: "state", state: states[q.value.state] };
    case "typeQuery":
      return { kind: "type", type: q.value.type === Type.HUMAN ? "human" : q.value.type === Type.MACHINE ? "machine" : undefined };
    case "inUserIdsQuery":
      return { kind: "ids", ids: q.value.userIds };
    case "inUserEmailsQuery":
      return { kind: "emails", emails: q.value.userEmails };
    case "orQuery":
      return { kind: "or", filters: q.value.queries.map(toUserFilter) };
    case "andQuery":
      return { kind: "and", filters: q.value.queries.map(toUserFilter) };
    case "notQuery":
      // An empty NOT matches nothing it could negate: everything.
      return q.value.query ? { kind: "not", filter: toUserFilter(q.value.query) } : { kind: "and", filters: [] };
    case undefined:
      // Validation requires one query kind; a nested empty one matches everything.
      return { kind: "and", filters: [] };
  }
}
