import { useEffect, useState } from "preact/hooks";
import { CONSOLE_BASE } from "./environment.js";

/** The console's screens, by path below /ui/console. */
export type Route =
  | { readonly screen: "locked" }
  | { readonly screen: "users" }
  | { readonly screen: "user"; readonly userId: string }
  | { readonly screen: "policy" }
  | { readonly screen: "callback" }
  | { readonly screen: "signedout" }
  | { readonly screen: "notfound" };

export function routeOf(pathname: string): Route {
  const path = pathname.startsWith(`${CONSOLE_BASE}/`) ? pathname.slice(CONSOLE_BASE.length + 1).replace(/\/$/, "") : "";
  if (path === "") return { screen: "locked" };
  if (path === "users") return { screen: "users" };
  if (path === "policy") return { screen: "policy" };
  if (path === "auth/callback") return { screen: "callback" };
  if (path === "signedout") return { screen: "signedout" };
  const user = /^users\/([^/]+)$/.exec(path);
  if (user) return { screen: "user", userId: decodeURIComponent(user[1]!) };
  return { screen: "notfound" };
}

export function pathOf(route: Route): string {
  switch (route.screen) {
    case "users":
      return `${CONSOLE_BASE}/users`;
    case "user":
      return `${CONSOLE_BASE}/users/${encodeURIComponent(route.userId)}`;
    case "policy":
      return `${CONSOLE_BASE}/policy`;
    default:
      return `${CONSOLE_BASE}/`;
  }
}

const listeners = new Set<() => void>();

/** Moves within the app without a page load (the tokens live in this page's memory). */
export function navigate(path: string, options: { replace?: boolean } = {}) {
  if (options.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname));
    listeners.add(update);
    addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/** Same-app links: a plain click navigates in place; modified clicks keep the browser's behaviour. */
export function onLinkClick(event: MouseEvent) {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
