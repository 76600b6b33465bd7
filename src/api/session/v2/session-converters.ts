import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { TimestampQueryMethod } from "../../../../gen/zitadel/object_pb.js";
import { ListDetailsSchema, type ListDetails, type ListQuery } from "../../../../gen/zitadel/object/v2/object_pb.js";
import { SessionSchema, type SearchQuery, type Session } from "../../../../gen/zitadel/session/v2/session_pb.js";
import { Errors, ZError } from "../../../errors.js";
import type { ListResult, Page } from "../../../query/paging.js";
import type { SessionFilter, SessionView, TimestampComparison } from "../../../query/session-queries.js";

/** Ids are at most this long everywhere else in the API. */
const MAX_ID_LENGTH = 200;
/** Ids per IDsQuery: one page at most. */
const MAX_IDS = 1000;

export function toSession(view: SessionView): Session {
  const agent = view.userAgent;
  return create(SessionSchema, {
    id: view.id,
    creationDate: timestampFromDate(view.creationDate),
    changeDate: timestampFromDate(view.changeDate),
    sequence: BigInt(view.sequence),
    // Factors only once a user was checked, as ZITADEL answers.
    factors: view.user && {
      user: {
        verifiedAt: timestampFromDate(view.user.checkedAt),
        id: view.user.id,
        loginName: view.user.loginName,
        displayName: view.user.displayName,
        organizationId: view.user.organizationId,
      },
      password: view.passwordCheckedAt && { verifiedAt: timestampFromDate(view.passwordCheckedAt) },
    },
    metadata: Object.fromEntries(Object.entries(view.metadata).map(([key, value]) => [key, new Uint8Array(Buffer.from(value, "base64"))])),
    userAgent: agent && {
      fingerprintId: agent.fingerprintID,
      ip: agent.ip,
      description: agent.description,
      header: Object.fromEntries(Object.entries(agent.header ?? {}).map(([name, values]) => [name, { values }])),
    },
    expirationDate: view.expiration && timestampFromDate(view.expiration),
  });
}

export function toListDetails(result: ListResult<unknown>): ListDetails {
  return create(ListDetailsSchema, { totalResult: BigInt(result.total), timestamp: timestampFromDate(result.viewTimestamp) });
}

export function toPage(query: ListQuery | undefined): Page {
  return { offset: Number(query?.offset ?? 0n), limit: query?.limit ?? 0, asc: query?.asc ?? false };
}

export function requireIdLength(id: string): void {
  if (id.length > MAX_ID_LENGTH) throw new ZError(Errors.Session.IdTooLong);
}

const COMPARISONS: Record<TimestampQueryMethod, TimestampComparison> = {
  [TimestampQueryMethod.EQUALS]: "equals",
  [TimestampQueryMethod.GREATER]: "greater",
  [TimestampQueryMethod.GREATER_OR_EQUALS]: "greaterOrEquals",
  [TimestampQueryMethod.LESS]: "less",
  [TimestampQueryMethod.LESS_OR_EQUALS]: "lessOrEquals",
};

/**
 * One ListSessions query as a filter. Without an id, the creator query means
 * the caller; the user-agent query would mean the caller's own user agent,
 * which API calls do not carry, so it needs a fingerprint id.
 */
export function toFilter(query: SearchQuery, callerId: string): SessionFilter {
  const q = query.query;
  switch (q.case) {
    case "idsQuery":
      if (q.value.ids.length > MAX_IDS) throw new ZError(Errors.Session.TooManyIds);
      q.value.ids.forEach(requireIdLength);
      return { kind: "ids", ids: q.value.ids };
    case "userIdQuery":
      requireIdLength(q.value.id);
      return { kind: "user", userId: q.value.id };
    case "creationDateQuery":
      return { kind: "creationDate", date: toDate(q.value.creationDate), comparison: COMPARISONS[q.value.method] };
    case "creatorQuery": {
      const id = q.value.id ?? callerId;
      if (!id) throw new ZError(Errors.Session.CreatorQueryInvalid);
      return { kind: "creator", creatorId: id };
    }
    case "userAgentQuery": {
      const id = q.value.fingerprintId;
      if (!id) throw new ZError(Errors.Session.UserAgentQueryInvalid);
      return { kind: "fingerprint", fingerprintId: id };
    }
    default:
      throw new ZError(Errors.Session.ListQueryInvalid);
  }
}

/** A missing timestamp is the epoch, as in ZITADEL; nanos out of range are refused. */
function toDate(timestamp: Timestamp | undefined): Date {
  if (!timestamp) return new Date(0);
  if (!Number.isInteger(timestamp.nanos) || timestamp.nanos < 0 || timestamp.nanos > 999_999_999) throw new ZError(Errors.Session.TimestampInvalid);
  return timestampDate(timestamp);
}
