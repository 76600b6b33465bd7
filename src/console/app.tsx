import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { OrgFieldName } from "../../gen/zitadel/org_pb.js";
import { createApi } from "./api/clients.js";
import { describeError } from "./api/errors.js";
import type { OidcSession } from "./auth/oidc-session.js";
import { Link } from "./components/link.js";
import { Failure, Loading } from "./components/status.js";
import { Console, missingPermission, useConsole, type ConsoleContext, type OrgChoice } from "./context.js";
import type { Environment } from "./environment.js";
import { pathOf, useRoute, type Route } from "./router.js";
import { LockedUsers } from "./screens/locked-users.js";
import { LockoutPolicy } from "./screens/lockout-policy.js";
import { User } from "./screens/user.js";
import { Users } from "./screens/users.js";

type Setup = { status: "loading" } | { status: "failed"; message: string } | { status: "ready"; orgs: OrgChoice[]; own: OrgChoice };

/** The signed-in console: header with organisation switcher, navigation and the current screen. */
export function App(props: { env: Environment; session: OidcSession }) {
  const { env, session } = props;
  const route = useRoute();
  const orgRef = useRef<string | undefined>(undefined);
  const api = useMemo(() => createApi({ baseUrl: env.api, accessToken: () => session.accessToken(), orgId: () => orgRef.current }), [env, session]);
  const [setup, setSetup] = useState<Setup>({ status: "loading" });
  const [org, setOrg] = useState<OrgChoice>();
  const [permissions, setPermissions] = useState<{ org: string; granted: ReadonlySet<string> } | { org: string; failed: string }>();
  const [expired, setExpired] = useState(false);

  useEffect(() => session.onExpired(() => setExpired(true)), [session]);

  // Which organisations the caller may work in, and its own to start with.
  useEffect(() => {
    (async () => {
      const { result } = await api.auth.listMyProjectOrgs({ sortingColumn: OrgFieldName.NAME, query: { asc: true, limit: 1000 } });
      const orgs = result.map((o) => ({ id: o.id, name: o.name }));
      const mine = await api.management.getMyOrg({}).then(
        ({ org: own }) => (own ? { id: own.id, name: own.name } : undefined),
        () => undefined,
      );
      const own = mine ?? orgs[0];
      if (!own) throw new Error("You are not a member of any organisation. Ask an administrator for a role.");
      setSetup({ status: "ready", orgs: orgs.some((o) => o.id === own.id) ? orgs : [own, ...orgs], own });
      setOrg(own);
    })().catch((error: unknown) =>
      setSetup({ status: "failed", message: error instanceof Error && !("code" in error) ? error.message : describeError(error) }),
    );
  }, [api]);

  // What the caller may do in the organisation in context: asked once per switch.
  useEffect(() => {
    if (!org) return;
    orgRef.current = org.id;
    let current = true;
    api.auth.listMyZitadelPermissions({}).then(
      ({ result }) => current && setPermissions({ org: org.id, granted: new Set(result) }),
      (error: unknown) => current && setPermissions({ org: org.id, failed: describeError(error) }),
    );
    return () => {
      current = false;
    };
  }, [api, org]);

  const context = useMemo<ConsoleContext | undefined>(
    () => (org && permissions?.org === org.id && "granted" in permissions ? { api, org, permissions: permissions.granted } : undefined),
    [api, org, permissions],
  );

  return (
    <>
      <a class="skip" href="#main">
        Skip to the content
      </a>
      <header class="top">
        <span class="brand">Latchkey</span>
        <nav aria-label="Console">
          <Link href={pathOf({ screen: "locked" })} current={route.screen === "locked"}>
            Locked users
          </Link>
          <Link href={pathOf({ screen: "users" })} current={route.screen === "users" || route.screen === "user"}>
            Users
          </Link>
          <Link href={pathOf({ screen: "policy" })} current={route.screen === "policy"}>
            Lockout policy
          </Link>
        </nav>
        <div class="who">
          {setup.status === "ready" && org && setup.orgs.length > 1 && (
            <label>
              Organisation{" "}
              <select value={org.id} onChange={(event) => setOrg(setup.orgs.find((o) => o.id === (event.currentTarget as HTMLSelectElement).value))}>
                {setup.orgs.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {setup.status === "ready" && org && setup.orgs.length <= 1 && <span class="org">{org.name}</span>}
          <span class="user">{session.user()?.name}</span>
          <button type="button" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {expired && (
          <div class="failure" role="alert">
            <p>Your session ended. Sign in again to go on.</p>
            <button type="button" onClick={() => session.signIn(location.pathname)}>
              Sign in
            </button>
          </div>
        )}
        {setup.status === "loading" && <Loading what="your organisations" />}
        {setup.status === "failed" && <Failure message={setup.message} />}
        {permissions && "failed" in permissions && <Failure message={permissions.failed} />}
        {setup.status === "ready" && !context && !(permissions && "failed" in permissions) && <Loading what="your permissions" />}
        {context && (
          <Console.Provider value={context}>
            <Screen route={route} />
          </Console.Provider>
        )}
      </main>
    </>
  );
}

/** What each screen reads; without it the screen says so instead of failing. */
const screenPermission: Partial<Record<Route["screen"], string>> = { locked: "user.read", users: "user.read", user: "user.read", policy: "policy.read" };

function Screen(props: { route: Route }) {
  const { route } = props;
  const context = useConsole();
  const needed = screenPermission[route.screen];
  const missing = needed ? missingPermission(context, needed) : undefined;
  if (missing) {
    return (
      <section>
        <h1>Not available</h1>
        <p class="empty">{missing} Ask an administrator for a role, or switch to another organisation.</p>
      </section>
    );
  }
  switch (route.screen) {
    case "users":
      return <Users />;
    case "user":
      return <User key={route.userId} userId={route.userId} />;
    case "policy":
      return <LockoutPolicy />;
    case "notfound":
      return (
        <section>
          <h1>Not found</h1>
          <p>
            This page does not exist. Go to the <Link href={pathOf({ screen: "locked" })}>locked users</Link>.
          </p>
        </section>
      );
    default:
      return <LockedUsers />;
  }
}
