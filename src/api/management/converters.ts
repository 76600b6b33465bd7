import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ObjectDetailsSchema, type ObjectDetails } from "../../../gen/zitadel/object_pb.js";
import { UserSchema, UserState, type User } from "../../../gen/zitadel/user_pb.js";
import type { Details } from "../../command/actor.js";
import type { UserStateName, UserView } from "../../query/user-queries.js";

export function toObjectDetails(details: Details): ObjectDetails {
  return create(ObjectDetailsSchema, {
    sequence: BigInt(details.sequence),
    creationDate: timestampFromDate(details.creationDate),
    changeDate: timestampFromDate(details.changeDate),
    resourceOwner: details.resourceOwner,
  });
}

const userStates: Record<UserStateName, UserState> = {
  initial: UserState.INITIAL,
  active: UserState.ACTIVE,
  inactive: UserState.INACTIVE,
  locked: UserState.LOCKED,
  deleted: UserState.DELETED,
};

/** The v1 enum value of a read-model state. */
export function userStateOf(state: UserStateName): UserState {
  return userStates[state];
}

export function toUser(view: UserView): User {
  return create(UserSchema, {
    id: view.id,
    details: toObjectDetails({
      sequence: view.sequence,
      creationDate: view.creationDate,
      changeDate: view.changeDate,
      resourceOwner: view.resourceOwner,
    }),
    state: userStates[view.state],
    userName: view.userName,
    loginNames: [view.userName],
    preferredLoginName: view.userName,
    type: view.human
      ? {
          case: "human",
          value: {
            profile: {
              firstName: view.human.firstName,
              lastName: view.human.lastName,
              nickName: view.human.nickName,
              displayName: view.human.displayName,
              preferredLanguage: view.human.preferredLanguage,
              gender: view.human.gender,
            },
            email: { email: view.human.email, isEmailVerified: view.human.emailVerified },
            phone: { phone: view.human.phone, isPhoneVerified: view.human.phoneVerified },
            passwordChanged: view.human.passwordChanged && timestampFromDate(view.human.passwordChanged),
          },
        }
      : {
          case: "machine",
          value: {
            name: view.machine?.name ?? "",
            description: view.machine?.description ?? "",
            accessTokenType: view.machine?.accessTokenType ?? 0,
          },
        },
  });
}
