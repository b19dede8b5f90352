// npm run bench:nexacloud-import — times the NexaCloud importer and the reconciliation against a generated fixture
// (default 300 users, the fixture's size; BENCH_USERS=300,3000 to choose): dry run, first import, re-run (no change) and
// the reconciliation of the fixture's month.
import { applyMigrations } from "../lib/db/migrations";
import { createPrismaClient } from "../lib/db/prisma";
import { createFixtureDatabase, createSelectOnlyRole, FIXTURE_RECONCILED_MONTH } from "../lib/nexacloud/fixture";
import { describeCounts } from "../lib/migration/import-runs";
import { importNexaCloud } from "../lib/nexacloud/importer";
import { reconcilePeriod } from "../lib/nexacloud/reconciliation";
import { openTestCluster } from "../tests/support/test-database";
import { timed } from "./support";

const sizes = (process.env.BENCH_USERS ?? "300").split(",").map(Number);
const cluster = await openTestCluster();
try {
  for (const users of sizes) {
    const url = await cluster.createDatabase("nexa_bench_nexacloud");
    await applyMigrations(url);
    const prisma = createPrismaClient(url);
    const service = await prisma.service.create({ data: { code: "nexacloud", name: "NexaCloud", mode: "shadow" } });
    const fixture = await createFixtureDatabase(cluster.adminUrl, { users, prefix: "nexacloud_bench" });
    const dsn = await createSelectOnlyRole(fixture.url);
    const rows = fixture.data.plans.length + fixture.data.users.length + fixture.data.subscriptions.length + fixture.data.usage.length;
    console.log(`\n${users} users, ${rows} source rows (${fixture.data.usage.length} usage rows)`);
    for (const [label, dryRun] of [["dry run", true], ["first import", false], ["re-run (no change)", false]] as const) {
      const { result, seconds } = await timed(() => importNexaCloud(prisma, { dsn, serviceId: service.id, dryRun }));
      console.log(`  ${label.padEnd(20)} ${seconds.toFixed(2)} s  ${Math.round(rows / seconds)} rows/s  ${describeCounts(result.counts)}`);
    }
    const { result, seconds } = await timed(() => reconcilePeriod(prisma, { dsn, serviceId: service.id, period: FIXTURE_RECONCILED_MONTH, tolerance: { cents: BigInt(1), percent: "0" } }));
    console.log(`  ${"reconciliation".padEnd(20)} ${seconds.toFixed(2)} s  ${result.rows} rows: ${result.match} match, ${result.delta} delta, ${result.error} error`);
    await prisma.$disconnect();
  }
} finally {
  await cluster.stop();
}
