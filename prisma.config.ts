import { defineConfig } from "prisma/config";

// Only `prisma generate` is used from the CLI; migrations are generated and applied by scripts/db-migration.ts and
// scripts/db-migrate.ts (see README), because the CLI's native schema engine cannot be downloaded on offline machines.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/nexa_billing" },
});
