import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api/errors.js";
import { ActionButton } from "../components/action-button.js";
import { formatTime } from "../components/format.js";
import { useLoad } from "../components/load.js";
import { Failure, Loading } from "../components/status.js";
import { useConsole } from "../context.js";

const MAX_ATTEMPTS = 1000;

/** The organisation's lockout policy: view it, set its limits, or go back to the instance default. */
export function LockoutPolicy() {
  const context = useConsole();
  const [policy, reload] = useLoad(() => context.api.management.getLockoutPolicy({}), [context]);
  const [password, setPassword] = useState("");
  const [otp, setOtp] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; failed: boolean }>();

  useEffect(() => {
    if (policy.status !== "ready") return;
    setPassword(String(policy.data.policy?.maxPasswordAttempts ?? 0n));
    setOtp(String(policy.data.policy?.maxOtpAttempts ?? 0n));
  }, [policy]);

  if (policy.status === "loading") return <Loading what="the lockout policy" />;
  if (policy.status === "failed") return <Failure message={policy.message} retry={reload} />;
  const isDefault = policy.data.isDefault;
  const canWrite = context.permissions.has("policy.write");
  const invalid = (value: string) => !/^\d+$/.test(value) || Number(value) > MAX_ATTEMPTS;

  async function save() {
    if (invalid(password) || invalid(otp)) {
      setMessage({ text: `Enter whole numbers from 0 to ${MAX_ATTEMPTS} (0 never locks).`, failed: true });
      return;
    }
    setBusy(true);
    setMessage(undefined);
    const limits = { maxPasswordAttempts: Number(password), maxOtpAttempts: Number(otp) };
    try {
      if (isDefault) await context.api.management.addCustomLockoutPolicy(limits);
      else await context.api.management.updateCustomLockoutPolicy(limits);
      setMessage({ text: "Saved. The new limits apply to the next sign-in checks.", failed: false });
    } catch (error) {
      setMessage({ text: `Not saved: ${describeError(error)}`, failed: true });
    } finally {
      setBusy(false);
      reload();
    }
  }

  async function reset() {
    setBusy(true);
    setMessage(undefined);
    try {
      await context.api.management.resetLockoutPolicyToDefault({});
      setMessage({ text: "The instance default applies again.", failed: false });
    } catch (error) {
      setMessage({ text: `Not reset: ${describeError(error)}`, failed: true });
    } finally {
      setBusy(false);
      reload();
    }
  }

  return (
    <section aria-labelledby="policy-title">
      <h1 id="policy-title">Lockout policy</h1>
      <p class="lead">
        {isDefault ? `${context.org.name} uses the instance default.` : `${context.org.name} has its own policy.`} A user is locked after this many failed
        checks in a row; 0 never locks. Changed {formatTime(policy.data.policy?.details?.changeDate)}.
      </p>
      <form
        class="policy"
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
      >
        <AttemptsField label="Wrong passwords before locking" value={password} onChange={setPassword} readOnly={!canWrite} />
        <AttemptsField label="Wrong one-time codes before locking" value={otp} onChange={setOtp} readOnly={!canWrite} />
        <div class="buttons">
          <ActionButton permission="policy.write" busy={busy} onClick={save} class="primary">
            Save
          </ActionButton>
          {!isDefault && (
            <ActionButton permission="policy.delete" busy={busy} onClick={reset}>
              Use the instance default
            </ActionButton>
          )}
        </div>
      </form>
      {message && (
        <p class={message.failed ? "failure" : "outcome"} role={message.failed ? "alert" : "status"}>
          {message.text}
        </p>
      )}
    </section>
  );
}

/** One limit of the policy: a whole number from 0 to MAX_ATTEMPTS. */
function AttemptsField(props: { label: string; value: string; onChange: (value: string) => void; readOnly: boolean }) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={0}
        max={MAX_ATTEMPTS}
        required
        readOnly={props.readOnly}
        value={props.value}
        onInput={(event) => props.onChange((event.currentTarget as HTMLInputElement).value)}
      />
    </label>
  );
}
