// npm run db:migrate — applies pending prisma/migrations to DATABASE_URL, or to the embedded database when unset.
import { applyMigrations } from "../lib/db/migrations";
import { openLocalDatabase } from "../lib/db/local-database";

const database = await openLocalDatabase();
try {
  const report = await applyMigrations(database.url, { log: console.log });
  console.log(
    report.applied.length
      ? `Applied ${report.applied.length} migration(s); ${report.alreadyApplied.length} were already applied.`
      : `Database is up to date (${report.alreadyApplied.length} migrations).`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.stop();
}
