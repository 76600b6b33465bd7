import { render } from "preact";
import { App } from "./app.js";
import { createOidcSession } from "./auth/oidc-session.js";
import { CONSOLE_BASE, loadEnvironment } from "./environment.js";
import { navigate, routeOf } from "./router.js";
import "./console.css";

const root = document.getElementById("app")!;
// The page's static "Loading" text is not Preact's to diff: start from an empty root.
root.textContent = "";

function Notice(props: { title: string; text: string; action?: { label: string; run: () => void } }) {
  return (
    <main class="notice" id="main">
      <h1>{props.title}</h1>
      <p role={props.action ? "alert" : "status"}>{props.text}</p>
      {props.action && (
        <button type="button" class="primary" onClick={props.action.run}>
          {props.action.label}
        </button>
      )}
    </main>
  );
}

async function start() {
  const route = routeOf(location.pathname);
  const env = await loadEnvironment();
  // The sign-in comes back to the external URL's origin: start there (e.g. from 127.0.0.1 to localhost).
  const home = new URL(env.issuer).origin;
  if (location.origin !== home) {
    location.replace(`${home}${location.pathname}${location.search}`);
    return;
  }
  const session = createOidcSession(env);
  const signIn = (returnTo = `${CONSOLE_BASE}/`) => ({ label: "Sign in", run: () => void session.signIn(returnTo) });

  if (route.screen === "signedout") {
    render(<Notice title="Signed out" text="You are signed out of the Latchkey console." action={signIn()} />, root);
    return;
  }
  if (route.screen === "callback") {
    try {
      navigate(await session.completeSignIn(new URL(location.href)), { replace: true });
    } catch (error) {
      render(<Notice title="Sign-in failed" text={(error as Error).message} action={signIn()} />, root);
      return;
    }
  } else {
    // The token lives in memory only: a fresh page always signs in (quickly, while the login's session lasts).
    render(<Notice title="Latchkey console" text="Signing in…" />, root);
    await session.signIn(location.pathname + location.search);
    return;
  }
  render(<App env={env} session={session} />, root);
}

start().catch((error: unknown) => {
  render(<Notice title="The console cannot start" text={(error as Error).message} action={{ label: "Try again", run: () => location.reload() }} />, root);
});
