import { fromBinary, toBinary, create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { UnlockUserRequestSchema, UnlockUserResponseSchema, type UnlockUserRequest, type UnlockUserResponse } from "../../gen/zitadel/management_pb.js";

/** Baseline: a bare @grpc/grpc-js server whose UnlockUser does nothing. Prints its port. */
const service: grpc.ServiceDefinition = {
  UnlockUser: {
    path: "/zitadel.management.v1.ManagementService/UnlockUser",
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: UnlockUserRequest) => Buffer.from(toBinary(UnlockUserRequestSchema, value)),
    requestDeserialize: (bytes: Buffer) => fromBinary(UnlockUserRequestSchema, bytes),
    responseSerialize: (value: UnlockUserResponse) => Buffer.from(toBinary(UnlockUserResponseSchema, value)),
    responseDeserialize: (bytes: Buffer) => fromBinary(UnlockUserResponseSchema, bytes),
  },
};

const server = new grpc.Server();
server.addService(service, {
  UnlockUser: (_call: unknown, callback: grpc.sendUnaryData<UnlockUserResponse>) => callback(null, create(UnlockUserResponseSchema)),
});
server.bindAsync(`127.0.0.1:${process.env.PORT ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
