import { createSqliteEventStore } from "../src/eventstore/sqlite.js";
import { userDecider } from "../src/domain/user/decider.js";
import type { UserEvent } from "../src/domain/user/events.js";
import { systemClock } from "../src/lib/clock.js";
import { allProjections, projectionsModule } from "../src/projection/all-projections.js";
import { usernameClaims } from "../src/command/user-aggregate.js";

/**
 * Fills a started Latchkey's SQLite file with `count` events: machine users,
 * each added and then locked and unlocked a few times. Usage:
 *   tsx bench/seed-events.ts <database> <instanceId> <orgId> <count>
 */
const [database, instanceId, orgId, countArg] = process.argv.slice(2);
const total = Number(countArg);
const store = createSqliteEventStore({ path: database!, projections: allProjections, projectionsModule, clock: systemClock });
const eventsPerUser = 10;
let written = 0;
let user = 0;
while (written < total) {
  const commands = [];
  for (let i = 0; i < 500 && written < total; i++, user++) {
    const count = Math.min(eventsPerUser, total - written);
    const events: UserEvent[] = [{ type: "user.machine.added", payload: { userName: `seed-${process.pid}-${user}`, name: "Seed" } }];
    for (let k = 1; k < count; k++) events.push({ type: k % 2 ? "user.locked" : "user.unlocked", payload: null });
    commands.push({
      stream: { instanceId: instanceId!, aggregateType: "user", aggregateId: `seed${user}` },
      owner: orgId!,
      expectedSequence: 0,
      events: events.map((event) => ({ ...event, creator: "SYSTEM" })),
      uniqueClaims: usernameClaims(events),
      snapshot: { revision: userDecider.snapshotRevision, state: events.reduce(userDecider.evolve, userDecider.initialState) },
    });
    written += count;
  }
  await store.append(commands);
}
await store.close();
process.stdout.write(`${JSON.stringify({ written, users: user })}\n`);
