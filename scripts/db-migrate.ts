// npm run db:migrate — applies pending prisma/migrations to DATABASE_URL, or to the embedded database when unset.
import { applyMigrations } from "../lib/db/migrations";
import { openLocalDatabase } from "../lib/db/local-database";
import { createPrismaClient } from "../lib/db/prisma";
import { sealStoredWebhookSecrets } from "../lib/services/webhook-secrets";

const database = await openLocalDatabase();
try {
  const report = await applyMigrations(database.url, { log: console.log });
  console.log(
    report.applied.length
      ? `Applied ${report.applied.length} migration(s); ${report.alreadyApplied.length} were already applied.`
      : `Database is up to date (${report.alreadyApplied.length} migrations).`,
  );
  // Data step of the secrets-at-rest change: webhook signing secrets stored before it are sealed now (needs the key).
  if (process.env.NEXA_ENCRYPTION_KEY || process.env.NEXTAUTH_SECRET) {
    const prisma = createPrismaClient(database.url);
    const sealed = await sealStoredWebhookSecrets(prisma).finally(() => prisma.$disconnect());
    if (sealed) console.log(`Sealed ${sealed} plaintext webhook signing secret(s).`);
  } else {
    console.log("Webhook signing secrets are sealed at the next app start (NEXTAUTH_SECRET / NEXA_ENCRYPTION_KEY not set here).");
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.stop();
}
