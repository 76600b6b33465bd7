import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CreateSessionRequestSchema } from "../../../gen/zitadel/session/v2/session_service_pb.js";
import { SetHumanPhoneSchema } from "../../../gen/zitadel/user/v2/phone_pb.js";
import { SetMetadataEntrySchema } from "../../../gen/zitadel/user/v2/user_pb.js";
import { AddHumanUserRequestSchema } from "../../../gen/zitadel/user/v2/user_service_pb.js";
import { validateMessage } from "../../../src/api/validation/validate.js";

describe("the PGV rules the v2 messages add: bool const, bytes length, duration bounds", () => {
  it("bool const", () => {
    expect(validateMessage(SetHumanPhoneSchema, create(SetHumanPhoneSchema, { verification: { case: "isVerified", value: false } }))).toBe(
      "invalid SetHumanPhone.IsVerified: value must equal true",
    );
    expect(validateMessage(SetHumanPhoneSchema, create(SetHumanPhoneSchema, { verification: { case: "isVerified", value: true } }))).toBeUndefined();
  });

  it("bytes length", () => {
    const entry = (value: Uint8Array) => create(SetMetadataEntrySchema, { key: "k", value });
    expect(validateMessage(SetMetadataEntrySchema, entry(new Uint8Array()))).toBe(
      "invalid SetMetadataEntry.Value: value length must be between 1 and 500000 bytes, inclusive",
    );
    expect(validateMessage(SetMetadataEntrySchema, entry(new Uint8Array(500_001)))).toBeDefined();
    expect(validateMessage(SetMetadataEntrySchema, entry(new Uint8Array(1)))).toBeUndefined();
  });

  it("duration greater than, only when set", () => {
    const request = (seconds?: bigint) => create(CreateSessionRequestSchema, seconds === undefined ? {} : { lifetime: { seconds, nanos: 0 } });
    expect(validateMessage(CreateSessionRequestSchema, request(0n))).toBe("invalid CreateSessionRequest.Lifetime: value must be greater than 0s");
    expect(validateMessage(CreateSessionRequestSchema, request(60n))).toBeUndefined();
    expect(validateMessage(CreateSessionRequestSchema, request())).toBeUndefined();
  });

  it("reaches nested v2 messages", () => {
    const request = create(AddHumanUserRequestSchema, { profile: { givenName: "A", familyName: "" }, email: { email: "a@example.com" } });
    expect(validateMessage(AddHumanUserRequestSchema, request)).toBe(
      "invalid AddHumanUserRequest.Profile: embedded message failed validation | caused by: invalid SetHumanProfile.FamilyName: value length must be between 1 and 200 runes, inclusive",
    );
  });
});
