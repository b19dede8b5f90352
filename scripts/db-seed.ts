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
import { reportSeedCredentials } from "../lib/seed/seed-credentials";
import { existsSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--demo");
if (unknown.length) {
  console.error(`Unknown argument ${unknown.join(" ")}. Usage: npm run db:seed [-- --demo]`);
  process.exit(2);
}
const demo = args.includes("--demo");
// The demo services' webhook secrets are sealed with the app's key: NEXTAUTH_SECRET, or the one npm run dev keeps.
if (!process.env.NEXTAUTH_SECRET && !process.env.NEXA_ENCRYPTION_KEY && existsSync(".data/nextauth-secret")) {
  process.env.NEXTAUTH_SECRET = readFileSync(".data/nextauth-secret", "utf8").trim();
}
const isTTY = Boolean(process.stdout.isTTY);

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
        const lines = [...(seed.admin ? [`E-mail:   ${seed.admin.email}`, `Password: ${seed.admin.password}`] : []), ...(seed.apiKeys ?? []).map((k) => `API key (${k.service}): ${k.key}`)];
        reportSeedCredentials(lines, { isTTY });
      }
    } else {
      const admin = await createFirstAdmin(prisma, { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD });
      if (admin.created) reportSeedCredentials([`E-mail:   ${admin.email}`, `Password: ${admin.password}`], { isTTY, heading: "Administrator created (no demo data)" });
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
