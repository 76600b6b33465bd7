import { describe, it } from "vitest";
import { instanceLockoutPolicyDecider, orgLockoutPolicyDecider, type LockoutPolicyEvent } from "../../../src/domain/policy/lockout-policy.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";

const org = deciderSpec(orgLockoutPolicyDecider);
const instance = deciderSpec(instanceLockoutPolicyDecider);
const values = (maxPasswordAttempts: number, maxOtpAttempts = 0) => ({ maxPasswordAttempts, maxOtpAttempts });
const orgAdded = (p: number, o = 0): LockoutPolicyEvent => ({
  type: "org.policy.lockout.added",
  payload: { maxPasswordAttempts: p, maxOTPAttempts: o, showLockOutFailures: true },
});
const orgRemoved: LockoutPolicyEvent = { type: "org.policy.lockout.removed", payload: null };

describe("an organisation's custom lockout policy", () => {
  it("is added once (ORG-0olDf)", () => {
    org
      .given([])
      .when({ type: "AddCustom", values: values(3, 2) })
      .then([orgAdded(3, 2)]);
    org
      .given([orgAdded(3)])
      .when({ type: "AddCustom", values: values(4) })
      .thenThrows(Errors.LockoutPolicy.AlreadyExists);
  });
  it("changes only the changed values (ORG-ADfs1, ORG-0JFSr)", () => {
    org
      .given([orgAdded(3, 2)])
      .when({ type: "ChangeCustom", values: values(5, 2) })
      .then([{ type: "org.policy.lockout.changed", payload: { maxPasswordAttempts: 5 } }]);
    org
      .given([])
      .when({ type: "ChangeCustom", values: values(5) })
      .thenThrows(Errors.LockoutPolicy.ChangeNotFound);
    org
      .given([orgAdded(3, 2)])
      .when({ type: "ChangeCustom", values: values(3, 2) })
      .thenThrows(Errors.LockoutPolicy.NotChanged);
  });
  it("is removed to fall back to the default (ORG-D4zuz), and can be added again", () => {
    org
      .given([orgAdded(3)])
      .when({ type: "RemoveCustom" })
      .then([orgRemoved]);
    org
      .given([orgAdded(3), orgRemoved])
      .when({ type: "RemoveCustom" })
      .thenThrows(Errors.LockoutPolicy.RemoveNotFound);
    org
      .given([orgAdded(3), orgRemoved])
      .when({ type: "AddCustom", values: values(4) })
      .then([orgAdded(4)]);
  });
  it("ignores the organisation's other events", () => {
    org
      .given([{ type: "org.added", payload: { name: "x" } } as never])
      .when({ type: "RemoveCustom" })
      .thenThrows(Errors.LockoutPolicy.RemoveNotFound);
  });
});

describe("the instance default", () => {
  const defaultAdded = (p: number): LockoutPolicyEvent => ({
    type: "instance.policy.lockout.added",
    payload: { maxPasswordAttempts: p, maxOTPAttempts: 0, showLockOutFailures: true },
  });
  it("is added on the first start", () => {
    instance
      .given([])
      .when({ type: "SetDefault", values: values(0) })
      .then([defaultAdded(0)]);
  });
  it("changes when the configuration changes, and stays quiet otherwise", () => {
    instance
      .given([defaultAdded(0)])
      .when({ type: "SetDefault", values: values(5) })
      .then([{ type: "instance.policy.lockout.changed", payload: { maxPasswordAttempts: 5 } }]);
    instance
      .given([defaultAdded(5)])
      .when({ type: "SetDefault", values: values(5) })
      .then([]);
  });
});
