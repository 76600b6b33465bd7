import { create } from "@bufbuild/protobuf";
import { AddHumanUserRequest_EmailSchema, AddHumanUserRequestSchema } from "./gen/zitadel/management_pb.js";
import { validateMessage } from "./src/api/validation/validate.js";
const cases = [
  ["email", AddHumanUserRequest_EmailSchema, create(AddHumanUserRequest_EmailSchema, { email: "jane.doe@example.com" })],
  ["addHuman", AddHumanUserRequestSchema, create(AddHumanUserRequestSchema, { userName: "jane", profile: { firstName: "Jane", lastName: "Doe" }, email: { email: "jane.doe@example.com" }, phone: { phone: "+41791234567" } })],
] as const;
for (const [name, schema, msg] of cases) {
  const n = 1_000_000;
  for (let i = 0; i < 10000; i++) validateMessage(schema as any, msg as any);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) validateMessage(schema as any, msg as any);
  console.log(name, Number(process.hrtime.bigint() - t) / n, "ns/op");
}
