import { describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../../src/eventstore/event-store.js";
import { APPS_TABLE, PROJECTS_TABLE, projectProjection } from "../../../src/projection/project-projection.js";

const at = new Date("2025-01-01T10:00:00.000Z");
const event = (sequence: number, type: string, payload: unknown = null, init: Partial<RecordedEvent> = {}): RecordedEvent => ({
  instanceId: "i",
  aggregateType: "project",
  aggregateId: "p",
  owner: "org1",
  sequence,
  type,
  payload,
  creator: "admin",
  createdAt: at,
  position: 10 + sequence,
  ...init,
});
const created = (sequence: number) => ({ creation_date: at.getTime(), change_date: at.getTime(), sequence });

describe("the project projection", () => {
  it("adds the project with its owner and settings", () => {
    expect(projectProjection.apply(event(1, "project.added", { name: "Shop", hasProjectCheck: true }))).toEqual([
      {
        kind: "upsert",
        table: PROJECTS_TABLE,
        key: { instance_id: "i", id: "p" },
        values: {
          resource_owner: "org1",
          name: "Shop",
          state: "active",
          project_role_assertion: 0,
          project_role_check: 0,
          has_project_check: 1,
          private_labeling_setting: 0,
          ...created(1),
        },
      },
    ]);
  });

  it("adds an application row, then its OIDC configuration with the secret's hash", () => {
    const key = { instance_id: "i", id: "a1" };
    expect(projectProjection.apply(event(2, "project.application.added", { appId: "a1", name: "Web" }))).toEqual([
      { kind: "upsert", table: APPS_TABLE, key, values: { project_id: "p", resource_owner: "org1", name: "Web", state: "active", ...created(2) } },
    ]);
    const [config] = projectProjection.apply(
      event(3, "project.application.config.oidc.added", {
        appId: "a1",
        clientId: "c1",
        hashedSecret: "h",
        redirectUris: ["https://a.example/cb"],
        responseTypes: [0],
        grantTypes: [0, 2],
        applicationType: 0,
        authMethodType: 0,
        clockSkew: 1000,
      }),
    );
    expect(config).toMatchObject({
      kind: "update",
      table: APPS_TABLE,
      key,
      values: { client_id: "c1", hashed_secret: "h", redirect_uris: '["https://a.example/cb"]', grant_types: "[0,2]", clock_skew: 1000, sequence: 3 },
    });
  });

  it("drops a removed application's row, so its client id is gone", () => {
    expect(projectProjection.apply(event(4, "project.application.removed", { appId: "a1" }))).toEqual([
      { kind: "delete", table: APPS_TABLE, key: { instance_id: "i", id: "a1" } },
    ]);
  });

  it("ignores other aggregates and unknown event types", () => {
    expect(projectProjection.apply(event(1, "project.added", { name: "x" }, { aggregateType: "org" }))).toEqual([]);
    expect(projectProjection.apply(event(5, "project.role.added", { key: "r" }))).toEqual([]);
  });
});
