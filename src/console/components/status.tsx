import type { ComponentChildren } from "preact";

export function Loading(props: { what: string }) {
  return (
    <p class="status" role="status">
      Loading {props.what}…
    </p>
  );
}

export function Failure(props: { message: string; retry?: () => void }) {
  return (
    <div class="failure" role="alert">
      <p>{props.message}</p>
      {props.retry && (
        <button type="button" onClick={props.retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}
