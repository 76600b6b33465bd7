import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "./api/clients.js";

export interface OrgChoice {
  readonly id: string;
  readonly name: string;
}

/** What every screen needs: the API, the organisation in context and what the caller may do there. */
export interface ConsoleContext {
  readonly api: Api;
  readonly org: OrgChoice;
  /** The caller's permissions in `org` (ListMyZitadelPermissions). */
  readonly permissions: ReadonlySet<string>;
}

export const Console = createContext<ConsoleContext | undefined>(undefined);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (!context) throw new Error("useConsole outside the signed-in console");
  return context;
}

/** Why an action is not offered, or undefined when the caller may do it. */
export function missingPermission(context: ConsoleContext, permission: string): string | undefined {
  return context.permissions.has(permission) ? undefined : `You need the permission ${permission} in ${context.org.name} for this.`;
}
