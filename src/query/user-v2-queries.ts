import type { PermissionCheck, PermissionSubject } from "../auth/permission-check.js";
import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import { SIGN_IN_TABLE } from "../projection/sign-in-projection.js";
import type { UserQueries, UserView } from "./user-queries.js";

export interface UserV2View {
  readonly user: UserView;
  readonly passwordChangeRequired: boolean;
}

export interface UserV2Queries {
  /**
   * A user of any organisation of the instance, for a caller with user.read
   * there (or the user itself): NOT_FOUND (QUERY-Dfbg2), then AUTH-AWfge.
   */
  getUserById(subject: PermissionSubject, userId: string): Promise<UserV2View>;
}

export function createUserV2Queries(deps: { store: EventStore; users: UserQueries; permissions: PermissionCheck }): UserV2Queries {
  const { store, users, permissions } = deps;
  return {
    async getUserById(subject, userId) {
      const user = await users.findUser(subject.instanceId, userId);
      if (!user) throw new ZError(Errors.User.QueryNotFound);
      if (subject.userId !== userId && !(await permissions.has(subject, "user.read", user.resourceOwner))) {
        throw new ZError(Errors.UserV2.PermissionDenied);
      }
      const rows = await store.query<{ password_change_required: number }>(
        `SELECT password_change_required FROM ${SIGN_IN_TABLE} WHERE instance_id = ? AND user_id = ?`,
        [subject.instanceId, userId],
      );
      return { user, passwordChangeRequired: Number(rows[0]?.password_change_required ?? 0) === 1 };
    },
  };
}
