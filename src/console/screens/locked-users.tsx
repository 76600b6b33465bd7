import { useState } from "preact/hooks";
import { LockReason, type UnlockUsersResponse, type UserLockout } from "../../../gen/latchkey/v1/lockout_service_pb.js";
import { describeError } from "../api/errors.js";
import { ActionButton } from "../components/action-button.js";
import { formatTime, isoTime } from "../components/format.js";
import { Link } from "../components/link.js";
import { useLoad } from "../components/load.js";
import { Empty, Failure, Loading } from "../components/status.js";
import { useConsole } from "../context.js";
import { pathOf } from "../router.js";
import { attempts, lockedByText, outcomeTexts, reasonTexts } from "./lockout-texts.js";

const PAGE_SIZE = 50;
const reasonFilters = [
  { value: "", label: "Every reason" },
  { value: String(LockReason.FAILED_PASSWORD_ATTEMPTS), label: reasonTexts[LockReason.FAILED_PASSWORD_ATTEMPTS] },
  { value: String(LockReason.FAILED_OTP_ATTEMPTS), label: reasonTexts[LockReason.FAILED_OTP_ATTEMPTS] },
  { value: String(LockReason.ADMINISTRATOR), label: reasonTexts[LockReason.ADMINISTRATOR] },
];

/** Home: who is locked, since when and why; unlock one or many. */
export function LockedUsers() {
  const context = useConsole();
  const [reason, setReason] = useState("");
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ response?: UnlockUsersResponse; error?: string; names: Map<string, string> }>();
  const [list, reload] = useLoad(
    () =>
      context.api.lockout.listLockedUsers({
        query: { offset: BigInt(offset), limit: PAGE_SIZE },
        filter: { reasons: reason ? [Number(reason) as LockReason] : [] },
      }),
    [context, reason, offset],
  );

  async function unlock(users: readonly UserLockout[]) {
    setBusy(true);
    const names = new Map(users.map((user) => [user.userId, user.userName]));
    try {
      const response = await context.api.lockout.unlockUsers({ selection: { case: "userIds", value: { ids: users.map((user) => user.userId) } } });
      setOutcome({ response, names });
      setSelected(new Set());
    } catch (error) {
      setOutcome({ error: describeError(error), names });
    } finally {
      setBusy(false);
      reload();
    }
  }

  const toggle = (userId: string) => {
    const next = new Set(selected);
    if (next.has(userId)) next.delete(userId);
    else next.add(userId);
    setSelected(next);
  };

  return (
    <section aria-labelledby="locked-title">
      <h1 id="locked-title">Locked users</h1>
      <p class="lead">People in {context.org.name} who cannot sign in because they are locked, newest lock first.</p>
      <div class="toolbar">
        <label>
          Reason{" "}
          <select
            value={reason}
            onChange={(event) => {
              setReason((event.currentTarget as HTMLSelectElement).value);
              setOffset(0);
              setSelected(new Set());
            }}
          >
            {reasonFilters.map((filter) => (
              <option key={filter.value} value={filter.value}>
                {filter.label}
              </option>
            ))}
          </select>
        </label>
        {list.status === "ready" && (
          <ActionButton
            permission="user.write"
            busy={busy}
            disabled={selected.size === 0}
            onClick={() => unlock(list.data.result.filter((user) => selected.has(user.userId)))}
            class="primary"
          >
            Unlock selected ({selected.size})
          </ActionButton>
        )}
      </div>
      {outcome && <UnlockOutcomes {...outcome} onDismiss={() => setOutcome(undefined)} />}
      {list.status === "loading" && <Loading what="locked users" />}
      {list.status === "failed" && <Failure message={list.message} retry={reload} />}
      {list.status === "ready" && list.data.result.length === 0 && (
        <Empty>{reason ? "Nobody is locked for this reason." : `Nobody is locked in ${context.org.name}.`}</Empty>
      )}
      {list.status === "ready" && list.data.result.length > 0 && (
        <>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Locked users</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select every user on this page"
                      checked={list.data.result.every((user) => selected.has(user.userId))}
                      onChange={(event) =>
                        setSelected((event.currentTarget as HTMLInputElement).checked ? new Set(list.data.result.map((user) => user.userId)) : new Set())
                      }
                    />
                  </th>
                  <th scope="col">User</th>
                  <th scope="col">Why</th>
                  <th scope="col">Since</th>
                  <th scope="col">Locked by (user id)</th>
                  <th scope="col">Failed passwords</th>
                  <th scope="col">Failed codes</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.result.map((user) => (
                  <tr key={user.userId} data-user-id={user.userId}>
                    <td>
                      <input type="checkbox" aria-label={`Select ${user.userName}`} checked={selected.has(user.userId)} onChange={() => toggle(user.userId)} />
                    </td>
                    <td>
                      <Link href={pathOf({ screen: "user", userId: user.userId })}>{user.userName}</Link>
                    </td>
                    <td>{reasonTexts[user.reason]}</td>
                    <td>
                      <time dateTime={isoTime(user.lockedAt)}>{formatTime(user.lockedAt)}</time>
                    </td>
                    <td class="mono">{lockedByText(user)}</td>
                    <td>{attempts(user.failedPasswordAttempts, user.maxPasswordAttempts)}</td>
                    <td>{attempts(user.failedOtpAttempts, user.maxOtpAttempts)}</td>
                    <td>
                      <ActionButton permission="user.write" busy={busy} onClick={() => unlock([user])}>
                        Unlock <span class="visually-hidden">{user.userName}</span>
                      </ActionButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} total={Number(list.data.details?.totalResult ?? 0n)} onChange={setOffset} size={PAGE_SIZE} />
        </>
      )}
    </section>
  );
}

function UnlockOutcomes(props: { response?: UnlockUsersResponse; error?: string; names: Map<string, string>; onDismiss: () => void }) {
  return (
    <div class={props.error ? "failure" : "outcome"} role={props.error ? "alert" : "status"}>
      {props.error ? (
        <p>The unlock was refused: {props.error}</p>
      ) : (
        <>
          <p>
            Unlocked {props.response?.unlocked ?? 0} of {props.response?.results.length ?? 0}.
          </p>
          <ul class="results">
            {props.response?.results.map((result) => (
              <li key={result.userId} data-outcome={outcomeTexts[result.outcome]}>
                <strong>{props.names.get(result.userId) || result.userId}</strong>: {outcomeTexts[result.outcome]}
              </li>
            ))}
          </ul>
        </>
      )}
      <button type="button" onClick={props.onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

export function Pager(props: { offset: number; size: number; total: number; onChange: (offset: number) => void }) {
  const last = Math.min(props.offset + props.size, props.total);
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        {props.total === 0 ? 0 : props.offset + 1}–{last} of {props.total}
      </span>
      <button type="button" disabled={props.offset === 0} onClick={() => props.onChange(Math.max(props.offset - props.size, 0))}>
        Previous
      </button>
      <button type="button" disabled={last >= props.total} onClick={() => props.onChange(props.offset + props.size)}>
        Next
      </button>
    </nav>
  );
}
