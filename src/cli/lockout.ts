import type { Config } from "../config.js";
import { UsageError } from "./args.js";
import { restClient } from "./rest-client.js";

export interface LockoutOptions {
  readonly action: string | undefined;
  readonly args: readonly string[];
  /** set-schedule: the schedule as JSON (LockoutSchedule's JSON names). */
  readonly schedule?: string;
  readonly orgId?: string;
  readonly token?: string;
  readonly url?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
}

export const LOCKOUT_ACTIONS = ["schedule", "set-schedule", "reset-schedule", "blocks", "unblock", "send-unlock-link"] as const;

/**
 * `latchkey lockout ...`: latchkey.v1.LockoutService's schedule, address
 * block and unlock link calls over the running server's REST API. Prints the
 * server's JSON answer.
 */
export async function runLockoutCommand(config: Config, options: LockoutOptions): Promise<number> {
  const call = restClient(config, options);
  const [first, second] = options.args;
  const user = (id: string | undefined) => {
    if (!id) throw new UsageError(`lockout ${options.action} needs a user id`);
    return encodeURIComponent(id);
  };
  let answer: Record<string, unknown>;
  switch (options.action) {
    case "schedule":
      answer = await call("GET", "/latchkey/v1/policies/lockout/schedule");
      break;
    case "set-schedule":
      answer = await call("PUT", "/latchkey/v1/policies/lockout/schedule", { schedule: parseSchedule(options.schedule) });
      break;
    case "reset-schedule":
      answer = await call("DELETE", "/latchkey/v1/policies/lockout/schedule");
      break;
    case "blocks":
      answer = await call("POST", "/latchkey/v1/users/address_blocks/_search", first ? { userId: first } : {});
      break;
    case "unblock":
      if (!second) throw new UsageError("lockout unblock needs a user id and an address");
      answer = await call("POST", `/latchkey/v1/users/${user(first)}/address_blocks/_remove`, { address: second });
      break;
    case "send-unlock-link":
      answer = await call("POST", `/latchkey/v1/users/${user(first)}/lockout/_send_unlock_link`, {});
      break;
    default:
      throw new UsageError(`lockout needs an action: ${LOCKOUT_ACTIONS.join(", ")}${options.action ? ` (got "${options.action}")` : ""}`);
  }
  options.out(`${JSON.stringify(answer, null, 2)}\n`);
  return 0;
}

function parseSchedule(raw: string | undefined): unknown {
  if (!raw) throw new UsageError("lockout set-schedule needs --schedule '{\"firstLockSeconds\":300,...}'");
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError(`--schedule must be JSON, got ${raw}`);
  }
}
