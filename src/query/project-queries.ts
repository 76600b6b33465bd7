import { Errors, ZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import { PROJECTS_TABLE } from "../projection/project-projection.js";
import { APP_COLUMNS, APPS_FROM, toAppView, type AppRow, type AppView } from "./app-rows.js";
import { textCondition } from "./org-queries.js";
import { pageParams, type ListResult, type Page } from "./paging.js";

export interface ProjectView {
  readonly id: string;
  readonly resourceOwner: string;
  readonly name: string;
  readonly state: "active" | "inactive";
  readonly projectRoleAssertion: boolean;
  readonly projectRoleCheck: boolean;
  readonly hasProjectCheck: boolean;
  readonly privateLabelingSetting: number;
  readonly sequence: number;
  readonly creationDate: Date;
  readonly changeDate: Date;
}

/** ListApps' name filter; `method` is zitadel.v1.TextQueryMethod. */
export interface AppNameFilter {
  readonly name: string;
  readonly method: number;
}

/** Projects and applications of one organisation; another organisation's do not exist here. */
export interface ProjectQueries {
  getProject(instanceId: string, orgId: string, projectId: string): Promise<ProjectView>;
  /** The organisation's project of this exact name (names are unique per organisation), for the server's own set-up. */
  findProjectByName(instanceId: string, orgId: string, name: string): Promise<ProjectView | undefined>;
  getApp(instanceId: string, orgId: string, projectId: string, appId: string): Promise<AppView>;
  listApps(instanceId: string, orgId: string, projectId: string, page?: Page, filters?: readonly AppNameFilter[]): Promise<ListResult<AppView>>;
}

interface ProjectRow {
  id: string;
  resource_owner: string;
  name: string;
  state: string;
  project_role_assertion: number | string;
  project_role_check: number | string;
  has_project_check: number | string;
  private_labeling_setting: number | string;
  sequence: number | string;
  creation_date: number | string;
  change_date: number | string;
}

export function createProjectQueries(store: EventStore, clock: () => Date): ProjectQueries {
  async function findProject(instanceId: string, orgId: string, column: "id" | "name", value: string): Promise<ProjectView | undefined> {
    const [row] = await store.query<ProjectRow>(
      `SELECT id, resource_owner, name, state, project_role_assertion, project_role_check, has_project_check, private_labeling_setting,
              sequence, creation_date, change_date
       FROM ${PROJECTS_TABLE} WHERE instance_id = ? AND ${column} = ? AND resource_owner = ?`,
      [instanceId, value, orgId],
    );
    if (!row) return undefined;
    return {
      id: row.id,
      resourceOwner: row.resource_owner,
      name: row.name,
      state: row.state === "inactive" ? "inactive" : "active",
      projectRoleAssertion: Number(row.project_role_assertion) === 1,
      projectRoleCheck: Number(row.project_role_check) === 1,
      hasProjectCheck: Number(row.has_project_check) === 1,
      privateLabelingSetting: Number(row.private_labeling_setting),
      sequence: Number(row.sequence),
      creationDate: new Date(Number(row.creation_date)),
      changeDate: new Date(Number(row.change_date)),
    };
  }

  async function getProject(instanceId: string, orgId: string, projectId: string): Promise<ProjectView> {
    const project = await findProject(instanceId, orgId, "id", projectId);
    if (!project) throw new ZError(Errors.Project.QueryNotFound);
    return project;
  }

  return {
    getProject,
    findProjectByName: (instanceId, orgId, name) => findProject(instanceId, orgId, "name", name),

    async getApp(instanceId, orgId, projectId, appId) {
      const [row] = await store.query<AppRow>(`SELECT ${APP_COLUMNS} ${APPS_FROM} WHERE instance_id = ? AND id = ? AND project_id = ? AND resource_owner = ?`, [
        instanceId,
        appId,
        projectId,
        orgId,
      ]);
      if (!row) throw new ZError(Errors.Project.AppQueryNotFound);
      return toAppView(row);
    },

    async listApps(instanceId, orgId, projectId, page, filters = []) {
      // The project must be the caller's: another organisation's is not found, not empty.
      await getProject(instanceId, orgId, projectId);
      const conditions = ["instance_id = ?", "project_id = ?", "resource_owner = ?"];
      const params: unknown[] = [instanceId, projectId, orgId];
      for (const filter of filters) {
        const [sql, value] = textCondition("name", filter.name, filter.method);
        conditions.push(sql);
        params.push(value);
      }
      const where = `WHERE ${conditions.join(" AND ")}`;
      const [count] = await store.query<{ total: number | string }>(`SELECT COUNT(*) AS total ${APPS_FROM} ${where}`, params);
      const rows = await store.query<AppRow>(
        `SELECT ${APP_COLUMNS} ${APPS_FROM} ${where} ORDER BY creation_date ${page?.asc ? "ASC" : "DESC"}, id LIMIT ? OFFSET ?`,
        [...params, ...pageParams(page)],
      );
      return { total: Number(count?.total ?? 0), items: rows.map(toAppView), viewTimestamp: clock() };
    },
  };
}
