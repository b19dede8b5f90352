// npm run db:seed [-- --demo]
// On DATABASE_URL (or the embedded PostgreSQL of npm run dev when it is unset), after applying the migrations:
// - without --demo: creates the first administrator when there is no staff user yet (ADMIN_EMAIL, ADMIN_PASSWORD);
// - with --demo: seeds the demo catalog (services, customers, live subscriptions, a demo company profile with a fake
//   registration number). On a fresh database that includes the demo admin; never twice.
import { applyMigrations } from "../lib/db/migrations";
import { openLocalDatabase } from "../lib/db/local-database";
import { createPrismaClient } from "../lib/db/prisma";
import { seedDemoCatalog, seedDemoCatalogOnly } from "../lib/seed/demo-catalog";
import { createFirstAdmin } from "../lib/seed/first-admin";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--demo");
if (unknown.length) {
  console.error(`Unknown argument ${unknown.join(" ")}. Usage: npm run db:seed [-- --demo]`);
  process.exit(2);
}
const demo = args.includes("--demo");

const database = await openLocalDatabase();
let code = 0;
try {
  await applyMigrations(database.url);
  const prisma = createPrismaClient(database.url);
  try {
    if (demo) {
      const fresh = await seedDemoCatalog(prisma, { adminPassword: process.env.SEED_ADMIN_PASSWORD });
      const seed = fresh.seeded ? fresh : await seedDemoCatalogOnly(prisma);
      if (!seed.seeded) console.log("The demo catalog is already there: nothing changed.");
      else {
        console.log("Demo catalog seeded (its customers' chat subscriptions are live: the billing run bills them).");
        if (seed.admin) console.log(`  Staff login (printed once): ${seed.admin.email} / ${seed.admin.password}`);
        for (const key of seed.apiKeys ?? []) console.log(`  API key (${key.service}): ${key.key}`);
      }
    } else {
      const admin = await createFirstAdmin(prisma, { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD });
      if (admin.created) console.log(`Administrator created (printed once): ${admin.email} / ${admin.password}`);
      else console.log("Staff users already exist: nothing changed. Add the demo catalog with npm run db:seed -- --demo.");
    }
  } finally {
    await prisma.$disconnect();
  }
} catch (error) {
  console.error((error as Error).message);
  code = 1;
} finally {
  await database.stop().catch(() => {});
}
process.exit(code);
