import { describe } from "vitest";
import { storeFactories } from "../support/stores.js";
import { describeEventStoreContract } from "./event-store.contract.js";

for (const factory of storeFactories) {
  describe.skipIf(factory.unavailable?.() ?? false)(factory.name, () => describeEventStoreContract(factory));
}
