import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { UserService, AddHumanUserRequest } from "../../../../gen/zitadel/user/v2/user_service_pb.js";
import type { HumanV2Input, UserV2Commands } from "../../../command/user-v2-commands.js";
import { Errors, ZError } from "../../../errors.js";
import type { UserV2Queries } from "../../../query/user-v2-queries.js";
import { actorOf } from "../../management/user-service.js";
import { toDetailsV2, toUserV2 } from "./converters.js";

/** zitadel.user.v2.UserService: unwrap, call one command or query, wrap. */
export function createUserV2Service(deps: { commands: UserV2Commands; queries: UserV2Queries }): ServiceImpl<typeof UserService> {
  const { commands, queries } = deps;
  const transition =
    (run: (actor: ReturnType<typeof actorOf>, userId: string) => Promise<Parameters<typeof toDetailsV2>[0]>) =>
    async (req: { userId: string }, ctx: HandlerContext) => ({ details: toDetailsV2(await run(actorOf(ctx), req.userId)) });
  return {
    async addHumanUser(req, ctx) {
      const { userId, details } = await commands.addHumanUser(actorOf(ctx), humanInput(req));
      return { userId, details: toDetailsV2(details) };
    },
    async getUserByID(req, ctx) {
      const view = await queries.getUserById(actorOf(ctx), req.userId);
      const user = toUserV2(view);
      return { details: user.details, user };
    },
    lockUser: transition(commands.lockUser),
    unlockUser: transition(commands.unlockUser),
    deactivateUser: transition(commands.deactivateUser),
    reactivateUser: transition(commands.reactivateUser),
    deleteUser: transition(commands.deleteUser),
  };
}

/** What the request asks for, refusing the parts Latchkey does not do (UNIMPLEMENTED). */
function humanInput(req: AddHumanUserRequest): HumanV2Input {
  if (req.metadata.length > 0) throw new ZError(Errors.UserV2.MetadataUnsupported);
  if (req.idpLinks.length > 0) throw new ZError(Errors.UserV2.IdpLinksUnsupported);
  if (req.totpSecret !== undefined) throw new ZError(Errors.UserV2.TotpSecretUnsupported);
  const emailVerification = req.email?.verification;
  const phoneVerification = req.phone?.verification;
  if (emailVerification?.case === "sendCode" || emailVerification?.case === "returnCode") throw new ZError(Errors.UserV2.CodeDeliveryUnsupported);
  if (phoneVerification?.case === "sendCode" || phoneVerification?.case === "returnCode") throw new ZError(Errors.UserV2.CodeDeliveryUnsupported);
  const profile = req.profile;
  const password = req.passwordType;
  return {
    userId: req.userId,
    userName: req.username,
    givenName: profile?.givenName ?? "",
    familyName: profile?.familyName ?? "",
    nickName: profile?.nickName,
    displayName: profile?.displayName,
    preferredLanguage: profile?.preferredLanguage,
    gender: profile?.gender,
    email: req.email?.email ?? "",
    emailVerified: emailVerification?.case === "isVerified" && emailVerification.value,
    phone: req.phone?.phone || undefined,
    phoneVerified: phoneVerification?.case === "isVerified" && phoneVerification.value,
    password: password.case === "password" ? { password: password.value.password, changeRequired: password.value.changeRequired } : undefined,
    hashedPassword: password.case === "hashedPassword" ? { hash: password.value.hash, changeRequired: password.value.changeRequired } : undefined,
  };
}
