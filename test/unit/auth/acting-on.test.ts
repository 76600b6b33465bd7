import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mayActOn, mayGrantInOrg, NO_ROLES, type RoleHoldings } from "../../../src/auth/acting-on.js";
import { INSTANCE_ROLES, ORG_ROLES } from "../../../src/auth/permissions.js";

const holdings = (instance: string[], orgs: Record<string, string[]> = {}): RoleHoldings => ({ instance, orgs: new Map(Object.entries(orgs)) });

describe("who may act on whom", () => {
  it("keeps an organisation's managers off the instance owner", () => {
    const admin = holdings(["IAM_OWNER"], { o1: ["ORG_OWNER"] });
    expect(mayActOn(holdings([], { o1: ["ORG_USER_MANAGER"] }), admin)).toBe(false);
    expect(mayActOn(holdings([], { o1: ["ORG_OWNER"] }), admin)).toBe(false);
    // An instance role below the owner does not reach it either.
    expect(mayActOn(holdings(["IAM_USER_MANAGER"]), admin)).toBe(false);
  });

  it("lets the instance owner act on everyone", () => {
    const owner = holdings(["IAM_OWNER"]);
    for (const role of INSTANCE_ROLES) expect(mayActOn(owner, holdings([role]))).toBe(true);
    for (const role of ORG_ROLES) expect(mayActOn(owner, holdings([], { o1: [role] }))).toBe(true);
  });

  it("compares organisation roles within their organisation, instance roles everywhere", () => {
    const manager = holdings([], { o1: ["ORG_USER_MANAGER"] });
    expect(mayActOn(manager, NO_ROLES)).toBe(true);
    expect(mayActOn(manager, holdings([], { o1: ["ORG_USER_MANAGER"] }))).toBe(true);
    expect(mayActOn(manager, holdings([], { o1: ["ORG_OWNER"] }))).toBe(false);
    // The same role in another organisation is not the caller's.
    expect(mayActOn(manager, holdings([], { o2: ["ORG_USER_MANAGER"] }))).toBe(false);
    // An instance role counts in every organisation.
    expect(mayActOn(holdings(["IAM_ORG_MANAGER"]), holdings([], { o2: ["ORG_USER_MANAGER"] }))).toBe(true);
    // Every permission counts, reading ones too: IAM_USER_MANAGER cannot read policies.
    expect(mayActOn(holdings(["IAM_USER_MANAGER"]), holdings([], { o2: ["ORG_USER_MANAGER"] }))).toBe(false);
    // An organisation role never covers an instance role.
    expect(mayActOn(holdings([], { o1: ["ORG_OWNER"] }), holdings(["IAM_OWNER_VIEWER"]))).toBe(false);
  });

  it("counts every role of the target, in every organisation", () => {
    const owner = holdings([], { o1: ["ORG_OWNER"] });
    expect(mayActOn(owner, holdings([], { o1: ["ORG_USER_MANAGER"] }))).toBe(true);
    expect(mayActOn(owner, holdings([], { o1: ["ORG_USER_MANAGER"], o2: ["ORG_OWNER_VIEWER"] }))).toBe(false);
  });

  it("does not count permissions over oneself, and counts an unknown role as itself", () => {
    expect(mayActOn(holdings([], { o1: ["ORG_OWNER"] }), holdings([], { o1: ["ORG_USER_SELF_MANAGER"] }))).toBe(true);
    expect(mayActOn(holdings([], { o1: ["ORG_OWNER"] }), holdings([], { o1: ["CUSTOM_ROLE"] }))).toBe(false);
    expect(mayActOn(holdings([], { o1: ["CUSTOM_ROLE"] }), holdings([], { o1: ["CUSTOM_ROLE"] }))).toBe(true);
  });

  it("grants only roles whose power the caller holds in that organisation", () => {
    const owner = holdings([], { o1: ["ORG_OWNER"] });
    expect(mayGrantInOrg(owner, "o1", ["ORG_OWNER", "ORG_USER_MANAGER"])).toBe(true);
    expect(mayGrantInOrg(owner, "o1", ["SELF_MANAGEMENT_GLOBAL"])).toBe(false);
    expect(mayGrantInOrg(owner, "o2", ["ORG_OWNER_VIEWER"])).toBe(false);
    expect(mayGrantInOrg(holdings(["IAM_OWNER"]), "o2", ["SELF_MANAGEMENT_GLOBAL"])).toBe(true);
  });

  describe("properties", () => {
    const role = fc.constantFrom(...INSTANCE_ROLES, ...ORG_ROLES, "SELF_MANAGEMENT_GLOBAL");
    const orgId = fc.constantFrom("o1", "o2", "o3");
    const arbHoldings = fc
      .record({
        instance: fc.array(fc.constantFrom(...INSTANCE_ROLES), { maxLength: 2 }),
        orgs: fc.array(fc.tuple(orgId, fc.array(role, { minLength: 1, maxLength: 3 })), { maxLength: 3 }),
      })
      .map(({ instance, orgs }) => holdings(instance, Object.fromEntries(orgs)));
    const merge = (a: RoleHoldings, b: RoleHoldings): RoleHoldings => {
      const orgs = new Map(a.orgs);
      for (const [id, roles] of b.orgs) orgs.set(id, [...(orgs.get(id) ?? []), ...roles]);
      return { instance: [...a.instance, ...b.instance], orgs };
    };

    it("anyone may act on a user holding the same roles, and on a user without roles", () => {
      fc.assert(fc.property(arbHoldings, (h) => mayActOn(h, h) && mayActOn(h, NO_ROLES)));
    });

    it("more roles for the caller never take a right away; more roles for the target never give one", () => {
      fc.assert(
        fc.property(arbHoldings, arbHoldings, arbHoldings, (caller, target, extra) => {
          if (mayActOn(caller, target)) expect(mayActOn(merge(caller, extra), target)).toBe(true);
          if (!mayActOn(caller, target)) expect(mayActOn(caller, merge(target, extra))).toBe(false);
        }),
      );
    });

    it("without IAM_OWNER, an instance role of the target needs an instance role of the caller", () => {
      fc.assert(
        fc.property(arbHoldings, fc.constantFrom(...INSTANCE_ROLES), (caller, instanceRole) => {
          const orgOnly = { instance: [], orgs: caller.orgs };
          expect(mayActOn(orgOnly, holdings([instanceRole]))).toBe(false);
        }),
      );
    });
  });
});
