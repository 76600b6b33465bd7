import type { ServiceImpl } from "@connectrpc/connect";
import type { Duration } from "@bufbuild/protobuf/wkt";
import type { RequestChallenges } from "../../../../gen/zitadel/session/v2/challenge_pb.js";
import type { UserAgent } from "../../../../gen/zitadel/session/v2/session_pb.js";
import type { SessionService, Checks } from "../../../../gen/zitadel/session/v2/session_service_pb.js";
import type { SessionChange, SessionChecks, SessionCommands } from "../../../command/session-commands.js";
import type { SessionUserAgent } from "../../../domain/session/events.js";
import { Errors, ZError } from "../../../errors.js";
import { CLIENT_ADDRESS_HEADER } from "../../../server/client-address.js";
import { actorOf } from "../../management/user-service.js";
import { toDetailsV2 } from "../../user/v2/converters.js";

/** zitadel.session.v2.SessionService: user and password checks; other check kinds answer UNIMPLEMENTED. */
export function createSessionService(deps: { commands: SessionCommands }): Partial<ServiceImpl<typeof SessionService>> {
  const { commands } = deps;
  return {
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

function sessionDetails(change: SessionChange) {
  // Like ZITADEL's write-model details: no creation date.
  const details = toDetailsV2({ ...change.details, creationDate: change.details.changeDate });
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
