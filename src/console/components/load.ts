import { useCallback, useEffect, useState } from "preact/hooks";
import { describeError } from "../api/errors.js";

export type Loaded<T> =
  | { readonly status: "loading" }
  | { readonly status: "failed"; readonly message: string }
  | { readonly status: "ready"; readonly data: T };

/** Runs `load` when its inputs change; the last call wins. */
export function useLoad<T>(load: () => Promise<T>, inputs: readonly unknown[]): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: "loading" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => (previous.status === "ready" ? previous : { status: "loading" }));
    load().then(
      (data) => current && setState({ status: "ready", data }),
      (error: unknown) => current && setState({ status: "failed", message: describeError(error) }),
    );
    return () => {
      current = false;
    };
  }, [...inputs, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return [state, reload];
}
