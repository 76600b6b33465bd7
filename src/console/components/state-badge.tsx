import { UserState } from "../../../gen/zitadel/user_pb.js";

const labels: Record<UserState, string> = {
  [UserState.UNSPECIFIED]: "unknown",
  [UserState.ACTIVE]: "active",
  [UserState.INACTIVE]: "inactive",
  [UserState.DELETED]: "removed",
  [UserState.LOCKED]: "locked",
  [UserState.SUSPEND]: "suspended",
  [UserState.INITIAL]: "initial",
};

export function stateLabel(state: UserState): string {
  return labels[state] ?? "unknown";
}

export function StateBadge(props: { state: UserState }) {
  const label = stateLabel(props.state);
  return <span class={`badge badge-${label}`}>{label}</span>;
}
