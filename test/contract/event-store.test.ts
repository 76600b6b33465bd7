import { storeFactories } from "../support/stores.js";
import { describeEventStoreContract } from "./event-store.contract.js";

for (const factory of storeFactories) describeEventStoreContract(factory);
