import { useState } from "preact/hooks";
import type { SearchQuery } from "../../../gen/zitadel/user_pb.js";
import { UserFieldName, UserState, type User } from "../../../gen/zitadel/user_pb.js";
import { TextQueryMethod } from "../../../gen/zitadel/object_pb.js";
import { Link } from "../components/link.js";
import { useLoad } from "../components/load.js";
import { StateBadge, stateLabel } from "../components/state-badge.js";
import { Empty, Failure, Loading } from "../components/status.js";
import { useConsole } from "../context.js";
import { pathOf } from "../router.js";
import { Pager } from "./locked-users.js";

const PAGE_SIZE = 20;
const states = [UserState.ACTIVE, UserState.LOCKED, UserState.INACTIVE, UserState.INITIAL];
const sortings = [
  { value: UserFieldName.USER_NAME, label: "User name" },
  { value: UserFieldName.DISPLAY_NAME, label: "Display name" },
  { value: UserFieldName.EMAIL, label: "Email" },
  { value: UserFieldName.STATE, label: "State" },
  { value: UserFieldName.CREATION_DATE, label: "Created" },
];

/** Name or email contains the text (any case); the state matches when one is chosen. */
function queriesOf(text: string, state: UserState | undefined): SearchQuery[] {
  const queries: SearchQuery[] = [];
  const method = TextQueryMethod.CONTAINS_IGNORE_CASE;
  if (text) {
    const anyOf = [
      { query: { case: "userNameQuery" as const, value: { userName: text, method } } },
      { query: { case: "displayNameQuery" as const, value: { displayName: text, method } } },
      { query: { case: "emailQuery" as const, value: { emailAddress: text, method } } },
    ];
    queries.push({ query: { case: "orQuery", value: { queries: anyOf } } } as SearchQuery);
  }
  if (state !== undefined) queries.push({ query: { case: "stateQuery", value: { state } } } as SearchQuery);
  return queries;
}

function displayName(user: User): string {
  if (user.type.case === "human")
    return user.type.value.profile?.displayName || `${user.type.value.profile?.firstName ?? ""} ${user.type.value.profile?.lastName ?? ""}`.trim();
  if (user.type.case === "machine") return user.type.value.name;
  return "";
}

function emailOf(user: User): string {
  return user.type.case === "human" ? (user.type.value.email?.email ?? "") : "";
}

/** Search users by name, email and state; paged and sorted. */
export function Users() {
  const context = useConsole();
  const [text, setText] = useState("");
  const [search, setSearch] = useState("");
  const [state, setState] = useState<UserState | undefined>(undefined);
  const [sorting, setSorting] = useState(UserFieldName.USER_NAME);
  const [asc, setAsc] = useState(true);
  const [offset, setOffset] = useState(0);
  const [list, reload] = useLoad(
    () =>
      context.api.management.listUsers({
        query: { offset: BigInt(offset), limit: PAGE_SIZE, asc },
        sortingColumn: sorting,
        queries: queriesOf(search, state),
      }),
    [context, search, state, sorting, asc, offset],
  );

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <form
        class="toolbar"
        aria-label="Search users"
        onSubmit={(event) => {
          event.preventDefault();
          setSearch(text.trim());
          setOffset(0);
        }}
      >
        <label>
          Name or email <input type="search" value={text} onInput={(event) => setText((event.currentTarget as HTMLInputElement).value)} maxLength={200} />
        </label>
        <button type="submit">Search</button>
        <label>
          State{" "}
          <select
            value={state === undefined ? "" : String(state)}
            onChange={(event) => {
              const value = (event.currentTarget as HTMLSelectElement).value;
              setState(value === "" ? undefined : (Number(value) as UserState));
              setOffset(0);
            }}
          >
            <option value="">Any</option>
            {states.map((option) => (
              <option key={option} value={String(option)}>
                {stateLabel(option)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort by{" "}
          <select value={String(sorting)} onChange={(event) => setSorting(Number((event.currentTarget as HTMLSelectElement).value) as UserFieldName)}>
            {sortings.map((option) => (
              <option key={option.value} value={String(option.value)}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Order{" "}
          <select value={asc ? "asc" : "desc"} onChange={(event) => setAsc((event.currentTarget as HTMLSelectElement).value === "asc")}>
            <option value="asc">Ascending</option>
            <option value="desc">Descending</option>
          </select>
        </label>
      </form>
      {list.status === "loading" && <Loading what="users" />}
      {list.status === "failed" && <Failure message={list.message} retry={reload} />}
      {list.status === "ready" && list.data.result.length === 0 && (
        <Empty>{search || state !== undefined ? "No user matches. Change the search or the state." : `${context.org.name} has no users yet.`}</Empty>
      )}
      {list.status === "ready" && list.data.result.length > 0 && (
        <>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Users</caption>
              <thead>
                <tr>
                  <th scope="col">User name</th>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {list.data.result.map((user) => (
                  <tr key={user.id} data-user-id={user.id}>
                    <td>
                      <Link href={pathOf({ screen: "user", userId: user.id })}>{user.userName}</Link>
                    </td>
                    <td>{displayName(user)}</td>
                    <td>{emailOf(user)}</td>
                    <td>
                      <StateBadge state={user.state} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} size={PAGE_SIZE} total={Number(list.data.details?.totalResult ?? 0n)} onChange={setOffset} />
        </>
      )}
    </section>
  );
}

export { displayName, emailOf };
