import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CredentialsCheckErrorSchema, ErrorDetailSchema } from "../../../../gen/zitadel/message_pb.js";
import { LockUserRequestSchema } from "../../../../gen/zitadel/management_pb.js";
import { httpStatusFromCode, restErrorBody, restErrorHeaders } from "../../../../src/api/rest/http-status.js";

describe("httpStatusFromCode", () => {
  it("follows grpc-gateway's table", () => {
    const table: Array<[Code | 0, number]> = [
      [0, 200],
      [Code.Canceled, 499],
      [Code.Unknown, 500],
      [Code.InvalidArgument, 400],
      [Code.DeadlineExceeded, 504],
      [Code.NotFound, 404],
      [Code.AlreadyExists, 409],
      [Code.PermissionDenied, 403],
      [Code.ResourceExhausted, 429],
      [Code.FailedPrecondition, 400],
      [Code.Aborted, 409],
      [Code.OutOfRange, 400],
      [Code.Unimplemented, 501],
      [Code.Internal, 500],
      [Code.Unavailable, 503],
      [Code.DataLoss, 500],
      [Code.Unauthenticated, 401],
    ];
    for (const [code, status] of table) expect(httpStatusFromCode(code)).toBe(status);
    expect(httpStatusFromCode(99 as Code)).toBe(500);
  });
});

describe("restErrorBody", () => {
  it("uses the raw message and omits details when there are none", () => {
    const err = new ConnectError("Errors.User.NotFound", Code.NotFound);
    expect(JSON.stringify(restErrorBody(err))).toBe('{"code":5,"message":"Errors.User.NotFound"}');
  });

  it("renders known details in order, with @type first, and skips unknown ones", () => {
    const err = new ConnectError("nope", Code.FailedPrecondition, undefined, [
      { desc: ErrorDetailSchema, value: { id: "A-1", message: "first" } },
      { desc: LockUserRequestSchema, value: { id: "not a detail type" } },
      { desc: CredentialsCheckErrorSchema, value: { id: "B-2", message: "second", failedAttempts: 2 } },
    ]);
    expect(JSON.stringify(restErrorBody(err))).toBe(
      '{"code":9,"message":"nope","details":[' +
        '{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"A-1","message":"first"},' +
        '{"@type":"type.googleapis.com/zitadel.v1.CredentialsCheckError","id":"B-2","message":"second","failedAttempts":2}]}',
    );
  });
});

describe("restErrorHeaders", () => {
  it("sets WWW-Authenticate for Unauthenticated only, with a header-safe value", () => {
    expect(restErrorHeaders(new ConnectError("no token", Code.Unauthenticated))).toEqual({
      "WWW-Authenticate": "no token",
    });
    expect(restErrorHeaders(new ConnectError("a\r\nb", Code.Unauthenticated))).toEqual({
      "WWW-Authenticate": "a??b",
    });
    expect(restErrorHeaders(new ConnectError("denied", Code.PermissionDenied))).toEqual({});
  });
});
