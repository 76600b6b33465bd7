import { INSTANCE_AGGREGATE } from "../domain/instance/events.js";
import { Errors, isZError } from "../errors.js";
import type { EventStore } from "../eventstore/event-store.js";
import type { IdGenerator } from "../lib/ids.js";

export const IAM_PROJECT_SET = "instance.iam.project.set";

/**
 * The id of the instance's API project, the audience access tokens need for
 * the management API (ZITADEL's "ZITADEL project"). Made once per instance;
 * an instance created before it existed gets one on its next start.
 */
export async function ensureIamProject(store: EventStore, instanceId: string, newId: IdGenerator): Promise<string> {
  const stream = { instanceId, aggregateType: INSTANCE_AGGREGATE, aggregateId: instanceId };
  for (let attempt = 0; ; attempt++) {
    const events = await store.readStream(stream);
    const set = events.findLast((event) => event.type === IAM_PROJECT_SET);
    if (set) return (set.payload as { iamProjectId: string }).iamProjectId;
    try {
      await store.append([
        {
          stream,
          owner: instanceId,
          expectedSequence: events.at(-1)?.sequence ?? 0,
          events: [{ type: IAM_PROJECT_SET, payload: { iamProjectId: newId() }, creator: "SYSTEM" }],
        },
      ]);
    } catch (error) {
      // Another process set it first: read its id.
      if (!isZError(error, Errors.ConcurrentModification) || attempt >= 3) throw error;
    }
  }
}
