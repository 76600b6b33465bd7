import type { ServiceImpl } from "@connectrpc/connect";
import type { Duration } from "@bufbuild/protobuf/wkt";
import type { RequestChallenges } from "../../../../gen/zitadel/session/v2/challenge_pb.js";
import type { UserAgent } from "../../../../gen/zitadel/session/v2/session_pb.js";
import { SessionFieldName } from "../../../../gen/zitadel/session/v2/session_pb.js";
import type { SessionService, Checks } from "../../../../gen/zitadel/session/v2/session_service_pb.js";
import type { SessionChange, SessionChecks, SessionCommands, SessionDetails } from "../../../command/session-commands.js";
import type { SessionQueries } from "../../../query/session-queries.js";
import type { SessionUserAgent } from "../../../domain/session/events.js";
import { Errors, ZError } from "../../../errors.js";
import { CLIENT_ADDRESS_HEADER } from "../../../server/client-address.js";
import { actorOf } from "../../management/user-service.js";
import { toDetailsV2 } from "../../user/v2/converters.js";
import { requireIdLength, toFilter, toListDetails, toPage, toSession } from "./session-converters.js";

/** zitadel.session.v2.SessionService: user and password checks (other check kinds answer UNIMPLEMENTED); read, list, terminate. */
export function createSessionService(deps: { commands: SessionCommands; queries: SessionQueries }): ServiceImpl<typeof SessionService> {
  const { commands, queries } = deps;
  return {
    async getSession(req, ctx) {
      requireIdLength(req.sessionId);
      const actor = actorOf(ctx);
      return { session: toSession(await queries.getSession(actor, req.sessionId, req.sessionToken)) };
    },
    async listSessions(req, ctx) {
      const actor = actorOf(ctx);
      const filters = req.queries.map((query) => toFilter(query, actor.userId));
      const result = await queries.listSessions(actor, {
        filters,
        page: toPage(req.query),
        sortByCreationDate: req.sortingColumn === SessionFieldName.CREATION_DATE,
      });
      return { details: toListDetails(result), sessions: result.items.map(toSession) };
    },
    async deleteSession(req, ctx) {
      const details = await commands.terminateSession(actorOf(ctx), req.sessionId, req.sessionToken);
      return { details: sessionDetails(details) };
    },
    async createSession(req, ctx) {
      const checks = { ...toChecks(req.checks, req.metadata, req.lifetime, req.challenges), clientAddress: clientAddressOf(ctx.requestHeader) };
      const change = await commands.createSession(actorOf(ctx), checks, req.userAgent && toUserAgent(req.userAgent));
      return { details: sessionDetails(change), sessionId: change.sessionId, sessionToken: change.sessionToken };
    },
    async setSession(req, ctx) {
      const checks = { ...toChecks(req.checks, req.metadata, req.lifetime, req.challenges), clientAddress: clientAddressOf(ctx.requestHeader) };
      const change = await commands.setSession(actorOf(ctx), req.sessionId, req.sessionToken, checks);
      return { details: sessionDetails(change), sessionToken: change.sessionToken };
    },
  };
}

/** Set for every call by the HTTP layer (server/client-address.ts); absent only for in-process calls. */
function clientAddressOf(headers: Headers): string | undefined {
  return headers.get(CLIENT_ADDRESS_HEADER) ?? undefined;
}

function sessionDetails(from: SessionChange | SessionDetails) {
  const written = "details" in from ? from.details : from;
  // Like ZITADEL's write-model details: no creation date.
  const details = toDetailsV2({ ...written, creationDate: written.changeDate });
  details.creationDate = undefined;
  return details;
}

function toChecks(
  checks: Checks | undefined,
  metadata: Record<string, Uint8Array>,
  lifetime: Duration | undefined,
  challenges: RequestChallenges | undefined,
): SessionChecks {
  if (checks?.webAuthN || challenges?.webAuthN) throw new ZError(Errors.Session.WebAuthNUnsupported);
  if (checks?.idpIntent) throw new ZError(Errors.Session.IdpIntentUnsupported);
  if (checks?.totp || checks?.otpSms || checks?.otpEmail || challenges?.otpSms || challenges?.otpEmail) {
    throw new ZError(Errors.Session.OtpUnsupported);
  }
  const search = checks?.user?.search;
  const entries = Object.entries(metadata);
  return {
    user: search?.case === "userId" ? { userId: search.value } : search?.case === "loginName" ? { loginName: search.value } : undefined,
    password: checks?.password?.password,
    metadata: entries.length > 0 ? Object.fromEntries(entries.map(([key, value]) => [key, Buffer.from(value).toString("base64")])) : undefined,
    lifetimeNanos: lifetime && Number(lifetime.seconds) * 1e9 + lifetime.nanos,
  };
}

function toUserAgent(agent: UserAgent): SessionUserAgent {
  const header = Object.entries(agent.header);
  return {
    fingerprintID: agent.fingerprintId,
    ip: agent.ip,
    description: agent.description,
    header: header.length > 0 ? Object.fromEntries(header.map(([name, values]) => [name, values.values])) : undefined,
  };
}
