import type { Config } from "../config.js";
import type { EventStore } from "../eventstore/event-store.js";
import { openEventStore } from "../eventstore/open-store.js";
import { systemClock } from "../lib/clock.js";
import { allProjections, projectionsModule } from "../projection/all-projections.js";

/** Opens the configured store (SQLite file or PostgreSQL URL), its schema migrated, as the server would. */
export function openConfiguredStore(config: Config): Promise<EventStore> {
  return openEventStore({
    database: config.database,
    projections: allProjections,
    projectionsModule,
    clock: systemClock,
    poolSize: config.dbPoolSize,
    statementTimeoutMs: config.dbStatementTimeoutMs,
  });
}
