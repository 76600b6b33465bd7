import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DetailsSchema, type Details as DetailsV2 } from "../../../../gen/zitadel/object/v2/object_pb.js";
import { UserSchema, UserState, type User } from "../../../../gen/zitadel/user/v2/user_pb.js";
import type { Details } from "../../../command/actor.js";
import type { UserStateName } from "../../../query/user-queries.js";
import type { UserV2View } from "../../../query/user-v2-queries.js";

/** zitadel.object.v2.Details: the v2 numbering of ObjectDetails. */
export function toDetailsV2(details: Details): DetailsV2 {
  return create(DetailsSchema, {
    sequence: BigInt(details.sequence),
    changeDate: timestampFromDate(details.changeDate),
    resourceOwner: details.resourceOwner,
    creationDate: timestampFromDate(details.creationDate),
  });
}

/** v2 has no SUSPEND: INITIAL is 5 here (6 in v1). */
const userStates: Record<UserStateName, UserState> = {
  initial: UserState.INITIAL,
  active: UserState.ACTIVE,
  inactive: UserState.INACTIVE,
  locked: UserState.LOCKED,
  deleted: UserState.DELETED,
};

export function toUserV2({ user, passwordChangeRequired }: UserV2View): User {
  const state = userStates[user.state];
  const names = { username: user.userName, loginNames: [user.userName], preferredLoginName: user.userName };
  return create(UserSchema, {
    userId: user.id,
    details: toDetailsV2({ sequence: user.sequence, creationDate: user.creationDate, changeDate: user.changeDate, resourceOwner: user.resourceOwner }),
    state,
    ...names,
    type: user.human
      ? {
          case: "human",
          value: {
            userId: user.id,
            state,
            ...names,
            profile: {
              givenName: user.human.firstName,
              familyName: user.human.lastName,
              nickName: user.human.nickName,
              displayName: user.human.displayName,
              preferredLanguage: user.human.preferredLanguage,
              gender: user.human.gender,
            },
            email: { email: user.human.email, isVerified: user.human.emailVerified },
            phone: { phone: user.human.phone, isVerified: user.human.phoneVerified },
            passwordChangeRequired,
            passwordChanged: user.human.passwordChanged && timestampFromDate(user.human.passwordChanged),
          },
        }
      : {
          case: "machine",
          value: {
            name: user.machine?.name ?? "",
            description: user.machine?.description ?? "",
            accessTokenType: user.machine?.accessTokenType ?? 0,
          },
        },
  });
}
