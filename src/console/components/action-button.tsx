import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";
import { missingPermission, useConsole } from "../context.js";

/**
 * A button for a call that needs `permission`: without it the button is
 * disabled and says why, instead of failing when pressed.
 */
export function ActionButton(props: {
  permission: string;
  onClick: () => void;
  children: ComponentChildren;
  busy?: boolean;
  disabled?: boolean;
  class?: string;
}) {
  const reasonId = useId();
  const reason = missingPermission(useConsole(), props.permission);
  return (
    <span class="action">
      <button
        type="button"
        class={props.class}
        onClick={props.onClick}
        disabled={reason !== undefined || props.disabled || props.busy}
        aria-describedby={reason ? reasonId : undefined}
        aria-busy={props.busy ? "true" : undefined}
      >
        {props.children}
      </button>
      {reason && (
        <span class="reason" id={reasonId}>
          {reason}
        </span>
      )}
    </span>
  );
}
