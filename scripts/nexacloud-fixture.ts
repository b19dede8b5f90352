// npm run nexacloud:fixture — creates a demo NexaCloud source database (schema + generated accounts, usage and invoices)
// next to the app's database: on DATABASE_URL's server when set, else on the embedded cluster (running or not).
// Prints the DSN of a SELECT-only role to paste on /console/imports (or to export as NEXACLOUD_DATABASE_URL).
//   NEXACLOUD_FIXTURE_USERS=300 NEXACLOUD_FIXTURE_SEED=42 npm run nexacloud:fixture
import pg from "pg";
import { openLocalDatabase } from "../lib/db/local-database";
import { createFixtureDatabase, createSelectOnlyRole } from "../lib/nexacloud/fixture";

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const runningEmbedded = `postgresql://nexa:nexa@127.0.0.1:${process.env.NEXA_PG_PORT ?? 54329}/postgres`;
let stop = async () => {};
let adminUrl: string;
if (process.env.DATABASE_URL) {
  adminUrl = process.env.DATABASE_URL;
} else if (await reachable(runningEmbedded)) {
  adminUrl = runningEmbedded; // npm run dev is running
} else {
  const database = await openLocalDatabase();
  adminUrl = database.url;
  stop = database.stop;
}
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
