import { Code, type ServiceImpl } from "@connectrpc/connect";
import type { ServerReflection as ServerReflectionV1 } from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import type { ServerReflection as ServerReflectionV1alpha } from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import type { DescriptorIndex } from "./descriptor-index.js";

/** The request as both protocol versions define it (they differ in package only). */
interface ReflectionRequest {
  readonly host: string;
  readonly messageRequest:
    | { readonly case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices"; readonly value: string }
    | { readonly case: "fileContainingExtension"; readonly value: { readonly containingType: string; readonly extensionNumber: number } }
    | { readonly case: undefined; readonly value?: undefined };
}

/** grpc.reflection.v1.ServerReflection. */
export function createReflectionServiceV1(index: DescriptorIndex): ServiceImpl<typeof ServerReflectionV1> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) yield respond(index, request);
    },
  };
}

/** grpc.reflection.v1alpha.ServerReflection, still the only version some tools ask for. */
export function createReflectionServiceV1alpha(index: DescriptorIndex): ServiceImpl<typeof ServerReflectionV1alpha> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) yield respond(index, request);
    },
  };
}

/** One answer per request; a lookup that fails answers an ErrorResponse and keeps the stream open. */
export function respond(index: DescriptorIndex, request: ReflectionRequest) {
  const base = { validHost: request.host, originalRequest: copyRequest(request) };
  const files = (file: ReturnType<DescriptorIndex["fileByName"]>, what: string) =>
    file
      ? { ...base, messageResponse: { case: "fileDescriptorResponse" as const, value: { fileDescriptorProto: index.encodeWithDependencies(file) } } }
      : error(Code.NotFound, `${what} not found`);
  const error = (code: Code, message: string) => ({
    ...base,
    messageResponse: { case: "errorResponse" as const, value: { errorCode: code, errorMessage: message } },
  });

  const asked = request.messageRequest;
  switch (asked.case) {
    case "listServices":
      return {
        ...base,
        messageResponse: {
          case: "listServicesResponse" as const,
          value: { service: index.serviceNames.map((name) => ({ name })) },
        },
      };
    case "fileByFilename":
      return files(index.fileByName(asked.value), `file ${asked.value}`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(asked.value), `symbol ${asked.value}`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = asked.value;
      return files(index.fileContainingExtension(containingType, extensionNumber), `extension ${extensionNumber} of ${containingType}`);
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbers(asked.value);
      if (!numbers) return error(Code.NotFound, `type ${asked.value} not found`);
      return {
        ...base,
        messageResponse: {
          case: "allExtensionNumbersResponse" as const,
          value: { baseTypeName: asked.value.replace(/^\./, ""), extensionNumber: numbers },
        },
      };
    }
    default:
      return error(Code.InvalidArgument, "request names no lookup");
  }
}

// The echoed request is rebuilt as plain data, so it fits either protocol version.
function copyRequest(request: ReflectionRequest) {
  const asked = request.messageRequest;
  if (asked.case === "fileContainingExtension") {
    return {
      host: request.host,
      messageRequest: {
        case: asked.case,
        value: { containingType: asked.value.containingType, extensionNumber: asked.value.extensionNumber },
      },
    };
  }
  return { host: request.host, messageRequest: asked.case === undefined ? { case: undefined } : { case: asked.case, value: asked.value } };
}
