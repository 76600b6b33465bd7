import { describe, it } from "vitest";
import { orgDecider } from "../../../src/domain/org/decider.js";
import type { OrgEvent } from "../../../src/domain/org/events.js";
import { Errors } from "../../../src/errors.js";
import { deciderSpec } from "../../support/decider-spec.js";

const spec = deciderSpec(orgDecider);
const added = (): OrgEvent => ({ type: "org.added", payload: { name: "Acme" } });
const member = (userId = "u1", roles = ["ORG_OWNER"]): OrgEvent => ({ type: "org.member.added", payload: { userId, roles } });

describe("AddOrg", () => {
  it("adds the organisation, its verified primary domain and the creator as owner", () => {
    spec
      .given([])
      .when({ type: "AddOrg", name: "Acme", primaryDomain: "acme.localhost", ownerId: "u1" })
      .then([
        added(),
        { type: "org.domain.added", payload: { domain: "acme.localhost" } },
        { type: "org.domain.verified", payload: { domain: "acme.localhost" } },
        { type: "org.domain.primary.set", payload: { domain: "acme.localhost" } },
        member(),
      ]);
  });
  it("rejects an id that exists", () => {
    spec.given([added()]).when({ type: "AddOrg", name: "Acme", primaryDomain: "acme.localhost", ownerId: "u1" }).thenThrows(Errors.Org.AlreadyExists);
  });
});

describe("members", () => {
  it("adds a member once", () => {
    spec
      .given([added()])
      .when({ type: "AddMember", userId: "u2", roles: ["ORG_USER_MANAGER"] })
      .then([member("u2", ["ORG_USER_MANAGER"])]);
    spec
      .given([added(), member("u2")])
      .when({ type: "AddMember", userId: "u2", roles: ["ORG_OWNER"] })
      .thenThrows(Errors.Org.MemberAlreadyExists);
  });
  it("adds members only to an organisation that exists", () => {
    spec
      .given([])
      .when({ type: "AddMember", userId: "u2", roles: ["ORG_OWNER"] })
      .thenThrows(Errors.Org.QueryNotFound);
  });
  it("removes a member, and then it is gone", () => {
    spec
      .given([added(), member("u2")])
      .when({ type: "RemoveMember", userId: "u2" })
      .then([{ type: "org.member.removed", payload: { userId: "u2" } }]);
    spec
      .given([added(), member("u2"), { type: "org.member.removed", payload: { userId: "u2" } }])
      .when({ type: "RemoveMember", userId: "u2" })
      .thenThrows(Errors.Org.MemberNotFound);
    spec
      .given([added(), member("u2"), { type: "org.member.cascade.removed", payload: { userId: "u2" } }])
      .when({ type: "AddMember", userId: "u2", roles: ["ORG_OWNER"] })
      .then([member("u2")]);
  });
});
