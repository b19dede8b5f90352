// npm run nexacloud:fixture — creates a demo NexaCloud source database (schema + generated accounts, usage and invoices)
// next to the app's database: on DATABASE_URL's server when set, else on the embedded cluster (running or not, on the
// port recorded in its data folder).
// Prints the DSN of a SELECT-only role to paste on /console/imports (or to export as NEXACLOUD_DATABASE_URL).
//   NEXACLOUD_FIXTURE_USERS=300 NEXACLOUD_FIXTURE_SEED=42 npm run nexacloud:fixture
import { openLocalDatabase } from "../lib/db/local-database";
import { createFixtureDatabase, createSelectOnlyRole } from "../lib/nexacloud/fixture";

// The embedded cluster listens on the port recorded in its data folder, whether `npm run dev` runs (it is shared, and
// left running) or not (started for this script, then stopped): the DSN printed stays valid at every later start.
const database = await openLocalDatabase();
const adminUrl = database.url;
const stop = database.stop;
try {
  const name = `nexacloud_demo_${new Date().toISOString().slice(0, 10).replace(/-/g, "")}_${Date.now().toString(36).slice(-4)}`;
  const fixture = await createFixtureDatabase(adminUrl, {
    name,
    users: Number(process.env.NEXACLOUD_FIXTURE_USERS ?? 300),
    seed: Number(process.env.NEXACLOUD_FIXTURE_SEED ?? 42),
  });
  const dsn = await createSelectOnlyRole(fixture.url);
  const rows = Object.entries(fixture.data).map(([table, list]) => `${table} ${list.length}`).join(", ");
  console.log(`Created NexaCloud demo database ${name}: ${rows}.`);
  console.log(`SELECT-only DSN (paste it on /console/imports, or export NEXACLOUD_DATABASE_URL):\n${dsn}`);
  console.log("Its invoices cover 2026-08 to 2026-10; reconcile 2026-09 for the seeded edge cases.");
} finally {
  await stop();
}
