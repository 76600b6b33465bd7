/**
 * Request validation driven by the `(validate.rules)` options in our descriptors.
 *
 * ZITADEL rejects malformed requests with the text of protoc-gen-validate's Go
 * `Validate()` (first violation only), and clients match on that text, so the
 * checks, their order and the wording follow PGV's generated Go code.
 *
 * Each message type gets a plan, built once from its descriptor and cached, so a
 * request pays only for the rules its type actually carries.
 */
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { planFor } from "./plan.js";
import type { Fields } from "./plan.js";

/**
 * Returns the first rule violation in `message` in PGV's Go wording, e.g.
 * `invalid UnlockUserRequest.Id: value length must be between 1 and 200 runes, inclusive`.
 */
export function validateMessage(schema: DescMessage, message: Message): string | undefined {
  const check = planFor(schema);
  return check === null ? undefined : check(message as unknown as Fields);
}
