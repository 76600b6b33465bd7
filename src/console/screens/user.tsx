import { useState } from "preact/hooks";
import { UserState, type User as UserMessage } from "../../../gen/zitadel/user_pb.js";
import { describeError } from "../api/errors.js";
import { ActionButton } from "../components/action-button.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { formatTime, isoTime } from "../components/format.js";
import { Link } from "../components/link.js";
import { useLoad } from "../components/load.js";
import { StateBadge } from "../components/state-badge.js";
import { Empty, Failure, Loading } from "../components/status.js";
import { useConsole, type ConsoleContext } from "../context.js";
import { navigate, pathOf } from "../router.js";
import { attempts, reasonTexts } from "./lockout-texts.js";
import { displayName, emailOf } from "./users.js";

type Action = "lock" | "unlock" | "deactivate" | "reactivate" | "remove";

/** Which actions the user's state allows (the server's rules; the server still decides). */
function actionsFor(state: UserState): Action[] {
  switch (state) {
    case UserState.ACTIVE:
      return ["lock", "deactivate", "remove"];
    case UserState.INITIAL:
      return ["lock", "remove"];
    case UserState.LOCKED:
      return ["unlock", "deactivate", "remove"];
    case UserState.INACTIVE:
      return ["reactivate", "remove"];
    default:
      return [];
  }
}

const actionLabels: Record<Action, string> = { lock: "Lock", unlock: "Unlock", deactivate: "Deactivate", reactivate: "Reactivate", remove: "Remove…" };
const actionDone: Record<Action, string> = { lock: "locked", unlock: "unlocked", deactivate: "deactivated", reactivate: "reactivated", remove: "removed" };

function run(context: ConsoleContext, action: Action, id: string): Promise<unknown> {
  const m = context.api.management;
  switch (action) {
    case "lock":
      return m.lockUser({ id });
    case "unlock":
      return m.unlockUser({ id });
    case "deactivate":
      return m.deactivateUser({ id });
    case "reactivate":
      return m.reactivateUser({ id });
    case "remove":
      return m.removeUser({ id });
  }
}

/** One user: profile, state, failed attempts, actions the state allows, and the change history. */
export function User(props: { userId: string }) {
  const context = useConsole();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; failed: boolean }>();
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [user, reloadUser] = useLoad(() => context.api.management.getUserByID({ id: props.userId }), [context, props.userId]);
  const [lockout, reloadLockout] = useLoad(() => context.api.lockout.getUserLockout({ userId: props.userId }), [context, props.userId]);
  const [changes, reloadChanges] = useLoad(
    () => context.api.management.listUserChanges({ userId: props.userId, query: { limit: 50, asc: false } }),
    [context, props.userId],
  );

  async function act(action: Action, subject: UserMessage) {
    setBusy(true);
    setMessage(undefined);
    try {
      await run(context, action, subject.id);
      if (action === "remove") {
        navigate(pathOf({ screen: "users" }));
        return;
      }
      setMessage({ text: `${subject.userName} is ${actionDone[action]}.`, failed: false });
    } catch (error) {
      setMessage({ text: `${actionLabels[action].replace("…", "")} was refused: ${describeError(error)}`, failed: true });
    } finally {
      setBusy(false);
      reloadUser();
      reloadLockout();
      reloadChanges();
    }
  }

  if (user.status === "loading") return <Loading what="the user" />;
  if (user.status === "failed") {
    return (
      <section>
        <h1>User</h1>
        <Failure message={user.message} retry={reloadUser} />
        <p>
          <Link href={pathOf({ screen: "users" })}>Back to the users</Link>
        </p>
      </section>
    );
  }
  const subject = user.data.user!;
  const permissionOf = (action: Action) => (action === "remove" ? "user.delete" : "user.write");
  return (
    <section aria-labelledby="user-title">
      <p class="crumbs">
        <Link href={pathOf({ screen: "users" })}>Users</Link> /
      </p>
      <h1 id="user-title">
        {displayName(subject) || subject.userName} <StateBadge state={subject.state} />
      </h1>
      <div class="actions">
        {actionsFor(subject.state).map((action) => (
          <ActionButton
            key={action}
            permission={permissionOf(action)}
            busy={busy}
            class={action === "remove" ? "danger" : undefined}
            onClick={() => (action === "remove" ? setConfirmRemove(true) : act(action, subject))}
          >
            {actionLabels[action]}
          </ActionButton>
        ))}
      </div>
      {message && (
        <p class={message.failed ? "failure" : "outcome"} role={message.failed ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      <ConfirmDialog
        open={confirmRemove}
        title={`Remove ${subject.userName}?`}
        confirm="Remove"
        onCancel={() => setConfirmRemove(false)}
        onConfirm={() => {
          setConfirmRemove(false);
          act("remove", subject);
        }}
      >
        <p>The user can no longer sign in and its user name becomes free. This cannot be undone.</p>
      </ConfirmDialog>
      <div class="cards">
        <section class="card" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <dl>
            <dt>User name</dt>
            <dd>{subject.userName}</dd>
            <dt>Type</dt>
            <dd>{subject.type.case === "machine" ? "service account" : "person"}</dd>
            {emailOf(subject) && (
              <>
                <dt>Email</dt>
                <dd>{emailOf(subject)}</dd>
              </>
            )}
            <dt>Id</dt>
            <dd class="mono">{subject.id}</dd>
            <dt>Created</dt>
            <dd>{formatTime(subject.details?.creationDate)}</dd>
            <dt>Changed</dt>
            <dd>{formatTime(subject.details?.changeDate)}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="lockout-title">
          <h2 id="lockout-title">Sign-in checks</h2>
          {lockout.status === "loading" && <Loading what="the lockout state" />}
          {lockout.status === "failed" && <Failure message={lockout.message} retry={reloadLockout} />}
          {lockout.status === "ready" && lockout.data.lockout && (
            <dl>
              <dt>Failed passwords</dt>
              <dd>{attempts(lockout.data.lockout.failedPasswordAttempts, lockout.data.lockout.maxPasswordAttempts)}</dd>
              <dt>Failed one-time codes</dt>
              <dd>{attempts(lockout.data.lockout.failedOtpAttempts, lockout.data.lockout.maxOtpAttempts)}</dd>
              {lockout.data.lockout.locked && (
                <>
                  <dt>Locked</dt>
                  <dd>
                    {reasonTexts[lockout.data.lockout.reason]},{" "}
                    <time dateTime={isoTime(lockout.data.lockout.lockedAt)}>{formatTime(lockout.data.lockout.lockedAt)}</time>
                  </dd>
                </>
              )}
            </dl>
          )}
        </section>
      </div>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        {changes.status === "loading" && <Loading what="the history" />}
        {changes.status === "failed" && <Failure message={changes.message} retry={reloadChanges} />}
        {changes.status === "ready" && changes.data.result.length === 0 && <Empty>No changes recorded.</Empty>}
        {changes.status === "ready" && changes.data.result.length > 0 && (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Changes, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Who</th>
                </tr>
              </thead>
              <tbody>
                {changes.data.result.map((change) => (
                  <tr key={String(change.sequence)}>
                    <td>
                      <time dateTime={isoTime(change.changeDate)}>{formatTime(change.changeDate)}</time>
                    </td>
                    <td>{change.eventType?.localizedMessage || change.eventType?.key}</td>
                    <td>{change.editorDisplayName || change.editorPreferredLoginName || change.editorId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
