// HTTP status and JSON error body for a failed call, as grpc-gateway renders them.
import { createRegistry, toJson } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { ConnectError } from "@connectrpc/connect";
import { CredentialsCheckErrorSchema, ErrorDetailSchema } from "../../../gen/zitadel/message_pb.js";

const statusByCode: Readonly<Record<Code, number>> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** HTTP status for a gRPC code; 0 (OK) is 200, anything unknown is 500. */
export function httpStatusFromCode(code: Code | 0): number {
  if (code === 0) return 200;
  return statusByCode[code] ?? 500;
}

// The detail types our services attach to errors; others are not rendered.
const detailRegistry = createRegistry(ErrorDetailSchema, CredentialsCheckErrorSchema);

export interface RestErrorBody {
  code: number;
  message: string;
  details?: JsonObject[];
}

export function restErrorBody(err: ConnectError): RestErrorBody {
  const body: RestErrorBody = { code: err.code, message: err.rawMessage };
  // A registry lookup keeps the details in the order they were attached.
  const details = err.findDetails(detailRegistry).map((detail): JsonObject => {
    const schema = detailRegistry.getMessage(detail.$typeName);
    const fields = schema ? toJson(schema, detail) : {};
    return {
      "@type": `type.googleapis.com/${detail.$typeName}`,
      ...(fields as JsonObject),
    };
  });
  if (details.length > 0) body.details = details;
  return body;
}

/** Extra response headers grpc-gateway adds for an error. */
export function restErrorHeaders(err: ConnectError): Record<string, string> {
  if (err.code !== Code.Unauthenticated) return {};
  // Node rejects header values with control or non-Latin-1 characters.
  return { "WWW-Authenticate": err.rawMessage.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?") };
}
