import { Code, createClient } from "@connectrpc/connect";
import { LockoutService } from "../../gen/latchkey/v1/lockout_service_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListUsersRequestSchema } from "../../gen/zitadel/management_pb.js";
import { TextQueryMethod } from "../../gen/zitadel/object_pb.js";
import { Type, UserFieldName, UserState } from "../../gen/zitadel/user_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { SearchQuerySchema } from "../../gen/zitadel/user_pb.js";
import { startTestApp, wires, type TestApp } from "../support/test-app.js";
import { expectZitadelError, rejectionOf } from "../support/users.js";
import { PASSWORD } from "../support/lifecycle.js";

let t: TestApp;
let headers: Record<string, string>;
const ids: Record<string, string> = {};

/** A seeded organisation of its own: six humans and two machines in known states. */
const humans = [
  { userName: "alice", firstName: "Alice", lastName: "Archer", nickName: "al", email: "alice@corp.example", state: "active" },
  { userName: "bob", firstName: "Bob", lastName: "Baker", nickName: "bobby", email: "bob@corp.example", state: "locked" },
  { userName: "carol", firstName: "Carol", lastName: "Cooper", nickName: "", email: "carol@other.example", state: "inactive" },
  { userName: "dave", firstName: "Dave", lastName: "Archer", nickName: "", email: "DAVE@corp.example", state: "initial" },
  { userName: "erin", firstName: "Erin", lastName: "Evans", nickName: "e", email: "erin@corp.example", state: "removed" },
  { userName: "frank_50%", firstName: "Frank", lastName: "Fisher", nickName: "", email: "frank@corp.example", state: "active" },
] as const;
const machines = ["robot-one", "robot-two"];

beforeAll(async () => {
  t = await startTestApp();
  const org = await t.client("connect-binary").addOrg({ name: "list-users" }, { headers: t.auth() });
  headers = { ...t.auth(), "x-zitadel-orgid": org.id };
  const client = t.client("connect-binary");
  for (const human of humans) {
    const { userId } = await client.importHumanUser(
      {
        userName: human.userName,
        profile: { firstName: human.firstName, lastName: human.lastName, nickName: human.nickName },
        email: { email: human.email, isEmailVerified: true },
        password: human.state === "initial" ? "" : PASSWORD,
      },
      { headers },
    );
    ids[human.userName] = userId;
    if (human.state === "locked") await client.lockUser({ id: userId }, { headers });
    if (human.state === "inactive") await client.deactivateUser({ id: userId }, { headers });
    if (human.state === "removed") await client.removeUser({ id: userId }, { headers });
  }
  for (const userName of machines) ids[userName] = (await client.addMachineUser({ userName, name: userName }, { headers })).userId;
});
afterAll(() => t.stop());

type Query = MessageInitShape<typeof SearchQuerySchema>;
const text = (
  kind: "userNameQuery" | "firstNameQuery" | "lastNameQuery" | "emailQuery" | "loginNameQuery" | "nickNameQuery",
  value: string,
  method: TextQueryMethod,
): Query => {
  const field = {
    userNameQuery: "userName",
    firstNameQuery: "firstName",
    lastNameQuery: "lastName",
    emailQuery: "emailAddress",
    loginNameQuery: "loginName",
    nickNameQuery: "nickName",
  }[kind];
  return { query: { case: kind, value: { [field]: value, method } } } as Query;
};

describe.each(wires)("ListUsers over %s", (wire) => {
  type Request = MessageInitShape<typeof ListUsersRequestSchema>;
  const list = async (request: Request = {}) => t.client(wire).listUsers(request, { headers });
  const names = async (queries: Query[], extra: Omit<Request, "queries" | "$typeName"> = {}) =>
    (await list({ ...extra, queries })).result.map((user) => user.userName);

  it("lists the organisation's users in creation order, without removed ones, with the total", async () => {
    const answer = await list();
    expect(answer.details?.totalResult).toBe(7n);
    expect(answer.details?.viewTimestamp).toBeDefined();
    expect(answer.result.map((u) => u.userName)).toEqual(["alice", "bob", "carol", "dave", "frank_50%", "robot-one", "robot-two"]);
  });

  it("filters by text with every method", async () => {
    expect(await names([text("userNameQuery", "bob", TextQueryMethod.EQUALS)])).toEqual(["bob"]);
    expect(await names([text("userNameQuery", "BOB", TextQueryMethod.EQUALS)])).toEqual([]);
    expect(await names([text("userNameQuery", "BOB", TextQueryMethod.EQUALS_IGNORE_CASE)])).toEqual(["bob"]);
    expect(await names([text("lastNameQuery", "Arch", TextQueryMethod.STARTS_WITH)])).toEqual(["alice", "dave"]);
    expect(await names([text("lastNameQuery", "arch", TextQueryMethod.STARTS_WITH)])).toEqual([]);
    expect(await names([text("lastNameQuery", "arch", TextQueryMethod.STARTS_WITH_IGNORE_CASE)])).toEqual(["alice", "dave"]);
    expect(await names([text("emailQuery", "@corp.example", TextQueryMethod.ENDS_WITH)])).toEqual(["alice", "bob", "dave", "frank_50%"]);
    expect(await names([text("emailQuery", "@CORP.example", TextQueryMethod.ENDS_WITH)])).toEqual([]);
    expect(await names([text("emailQuery", "@CORP.example", TextQueryMethod.ENDS_WITH_IGNORE_CASE)])).toEqual(["alice", "bob", "dave", "frank_50%"]);
    expect(await names([text("emailQuery", "dave@", TextQueryMethod.STARTS_WITH)])).toEqual([]);
    expect(await names([text("emailQuery", "dave@", TextQueryMethod.EQUALS_IGNORE_CASE)])).toEqual([]);
    expect(await names([text("firstNameQuery", "ar", TextQueryMethod.CONTAINS)])).toEqual(["carol"]);
    expect(await names([text("firstNameQuery", "AR", TextQueryMethod.CONTAINS_IGNORE_CASE)])).toEqual(["carol"]);
    // % and _ are plain characters, not wildcards.
    expect(await names([text("userNameQuery", "_50%", TextQueryMethod.CONTAINS)])).toEqual(["frank_50%"]);
    expect(await names([text("loginNameQuery", "robot-", TextQueryMethod.STARTS_WITH)])).toEqual(["robot-one", "robot-two"]);
  });

  it("filters by state (v1 numbering), type, ids and emails", async () => {
    const state = (s: UserState): Query => ({ query: { case: "stateQuery", value: { state: s } } });
    expect(await names([state(UserState.LOCKED)])).toEqual(["bob"]);
    expect(await names([state(UserState.INACTIVE)])).toEqual(["carol"]);
    expect(await names([state(UserState.INITIAL)])).toEqual(["dave"]);
    expect(await names([state(UserState.DELETED)])).toEqual([]);
    expect(await names([{ query: { case: "typeQuery", value: { type: Type.MACHINE } } }])).toEqual(["robot-one", "robot-two"]);
    expect(await names([{ query: { case: "inUserIdsQuery", value: { userIds: [ids.alice!, ids.erin!, ids["robot-two"]!] } } }])).toEqual([
      "alice",
      "robot-two",
    ]);
    expect(await names([{ query: { case: "inUserEmailsQuery", value: { userEmails: ["bob@corp.example", "carol@other.example"] } } }])).toEqual([
      "bob",
      "carol",
    ]);
  });

  it("combines with and (implicit and explicit), or and not", async () => {
    const human: Query = { query: { case: "typeQuery", value: { type: Type.HUMAN } } };
    const active: Query = { query: { case: "stateQuery", value: { state: UserState.ACTIVE } } };
    expect(await names([human, active])).toEqual(["alice", "frank_50%"]);
    expect(await names([{ query: { case: "andQuery", value: { queries: [human, active] } } }])).toEqual(["alice", "frank_50%"]);
    const bobOrCarol: Query = {
      query: {
        case: "orQuery",
        value: { queries: [text("userNameQuery", "bob", TextQueryMethod.EQUALS), text("userNameQuery", "carol", TextQueryMethod.EQUALS)] },
      },
    };
    expect(await names([bobOrCarol])).toEqual(["bob", "carol"]);
    expect(await names([human, { query: { case: "notQuery", value: { query: bobOrCarol } } }])).toEqual(["alice", "dave", "frank_50%"]);
  });

  it("sorts by a column, descending unless asc, and pages with offset and limit", async () => {
    expect(await names([], { sortingColumn: UserFieldName.USER_NAME, query: { asc: true } })).toEqual([
      "alice",
      "bob",
      "carol",
      "dave",
      "frank_50%",
      "robot-one",
      "robot-two",
    ]);
    expect(await names([], { sortingColumn: UserFieldName.USER_NAME })).toEqual(["robot-two", "robot-one", "frank_50%", "dave", "carol", "bob", "alice"]);
    const page = await list({ sortingColumn: UserFieldName.FIRST_NAME, query: { asc: true, offset: 2n, limit: 2 } });
    expect(page.details?.totalResult).toBe(7n);
    expect(page.sortingColumn).toBe(UserFieldName.FIRST_NAME);
    // Machines have no first name: they sort first.
    expect(page.result.map((u) => u.userName)).toEqual(["alice", "bob"]);
    expect(await names([], { sortingColumn: UserFieldName.STATE, query: { asc: true, limit: 3 } })).toEqual(["alice", "frank_50%", "robot-one"]);
  });

  it("rejects a query without a kind and an undefined method (PGV)", async () => {
    const empty = await rejectionOf(list({ queries: [{}] }));
    expectZitadelError(
      empty,
      Code.InvalidArgument,
      "invalid ListUsersRequest.Queries[0]: embedded message failed validation | caused by: invalid SearchQuery.Query: value is required",
    );
    const method = await rejectionOf(list({ queries: [text("userNameQuery", "x", 42 as TextQueryMethod)] }));
    expect(method).toMatchObject({ code: Code.InvalidArgument });
  });
});

// 2^53 - 1: the largest offset both stores take exactly (SQLite binds larger numbers as REAL, PostgreSQL overflows BIGINT).
const OFFSET_TOO_BIG = "value must be less than or equal to 9007199254740991";

describe.each(wires)("64-bit offsets and sequences beyond what the store takes, over %s", (wire) => {
  it("ListUsers: INVALID_ARGUMENT naming the offset; the largest supported one pages past the end", async () => {
    for (const offset of [9223372036854775807n, 18446744073709551615n, 9007199254740992n]) {
      expectZitadelError(
        await rejectionOf(t.client(wire).listUsers({ query: { offset } }, { headers })),
        Code.InvalidArgument,
        `invalid ListUsersRequest.Query: embedded message failed validation | caused by: invalid ListQuery.Offset: ${OFFSET_TOO_BIG}`,
      );
    }
    const past = await t.client(wire).listUsers({ query: { offset: 9007199254740991n } }, { headers });
    expect(past.result).toEqual([]);
    expect(past.details?.totalResult).toBe(7n);
  });

  it("every other list offset and the change sequence that reach SQL", async () => {
    const huge = 9223372036854775807n;
    const client = t.client(wire);
    const embedded = (type: string, field: string, inner = "ListQuery.Offset") =>
      `invalid ${type}.${field}: embedded message failed validation | caused by: invalid ${inner}: ${OFFSET_TOO_BIG}`;
    const cases: [Promise<unknown>, string][] = [
      [
        client.listUserChanges({ userId: ids.alice!, query: { sequence: huge } }, { headers }),
        embedded("ListUserChangesRequest", "Query", "ChangeQuery.Sequence"),
      ],
      [client.listMachineKeys({ userId: ids["robot-one"]!, query: { offset: huge } }, { headers }), embedded("ListMachineKeysRequest", "Query")],
      [
        client.listPersonalAccessTokens({ userId: ids["robot-one"]!, query: { offset: huge } }, { headers }),
        embedded("ListPersonalAccessTokensRequest", "Query"),
      ],
      [client.listOrgMembers({ query: { offset: huge } }, { headers }), embedded("ListOrgMembersRequest", "Query")],
      [createClient(LockoutService, t.transport(wire)).listLockedUsers({ query: { offset: huge } }, { headers }), embedded("ListLockedUsersRequest", "Query")],
    ];
    // Every call's rejection is taken at once, so none goes unhandled while an earlier one is checked.
    const outcomes = cases.map(([call, message]) => [rejectionOf(call), message] as const);
    for (const [rejection, message] of outcomes) expectZitadelError(await rejection, Code.InvalidArgument, message);
  });
});

describe("ListUsers over REST", () => {
  it("answers 400 for an offset beyond what the store takes", async () => {
    const { status, json } = await t.rest("POST", "/management/v1/users/_search", { query: { offset: "9223372036854775807" } }, headers);
    expect(status).toBe(400);
    expect(json).toMatchObject({
      code: Code.InvalidArgument,
      message: `invalid ListUsersRequest.Query: embedded message failed validation | caused by: invalid ListQuery.Offset: ${OFFSET_TOO_BIG}`,
    });
  });

  it("is POST /management/v1/users/_search with JSON queries", async () => {
    const { status, json } = await t.rest(
      "POST",
      "/management/v1/users/_search",
      { query: { limit: 2 }, sortingColumn: "USER_FIELD_NAME_EMAIL", queries: [{ typeQuery: { type: "TYPE_HUMAN" } }] },
      headers,
    );
    expect(status).toBe(200);
    expect(json.details.totalResult).toBe("5");
    expect(json.sortingColumn).toBe("USER_FIELD_NAME_EMAIL");
    // Descending by email, without case: frank, DAVE, carol, bob, alice.
    expect(json.result.map((u: { userName: string }) => u.userName)).toEqual(["frank_50%", "dave"]);
  });
});
