import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { hashPassword } from "@/lib/auth/password";
import { generateApiKey } from "@/lib/services/api-keys";
import { newWebhookSecret } from "@/lib/services/webhook-secrets";
import { firstBillingAt } from "@/lib/subscriptions/billing-schedule";

export interface SeedResult {
  seeded: boolean;
  admin?: { email: string; password: string };
  apiKeys?: { service: string; key: string }[];
}

export const DEMO_ADMIN_EMAIL = "admin@nexa.example";
const DEMO_SERVICE_CODES = ["nexacloud", "nexachat"];
/** A few dozen inserts; generous, because a first start can share a busy machine. */
const SEED_TRANSACTION = { timeout: 60_000, maxWait: 30_000 };

/**
 * Seeds a fresh database with a demo catalog: two services, metrics, plans with charges, three customers with live
 * subscriptions that the billing run would bill, a demo company profile (with a fake tax registration) and a staff
 * admin. Does nothing when any staff user exists, so `npm run dev` can call it on every start. Never run by `npm start`.
 */
export async function seedDemoCatalog(client: Db, options: { adminPassword?: string } = {}): Promise<SeedResult> {
  if ((await client.staffUser.count()) > 0) return { seeded: false };
  const password = options.adminPassword ?? randomBytes(9).toString("base64url");
  const passwordHash = await hashPassword(password);
  const apiKeys = await client.$transaction(async (tx) => {
    await tx.staffUser.create({ data: { email: DEMO_ADMIN_EMAIL, name: "Demo Admin", passwordHash, role: "admin" } });
    return createDemoCatalog(tx);
  }, SEED_TRANSACTION);
  return { seeded: true, admin: { email: DEMO_ADMIN_EMAIL, password }, apiKeys };
}

/**
 * Adds the demo catalog to a database that already has its staff (`npm run db:seed -- --demo` after a production first
 * start). Does nothing when the demo services are already there. A company profile already set is left as it is.
 */
export async function seedDemoCatalogOnly(client: Db): Promise<SeedResult> {
  if ((await client.service.count({ where: { code: { in: DEMO_SERVICE_CODES } } })) > 0) return { seeded: false };
  const apiKeys = await client.$transaction((tx) => createDemoCatalog(tx), SEED_TRANSACTION);
  return { seeded: true, apiKeys };
}

async function createDemoCatalog(tx: Prisma.TransactionClient): Promise<{ service: string; key: string }[]> {
  const keys = { cloud: generateApiKey(), chat: generateApiKey() };
  await tx.companyProfile.upsert({
    where: { id: 1 },
    update: {},
    create: {
      legalName: "Nexa Technologies Inc.", addressLine1: "100 King Street West, Suite 5700", city: "Toronto", province: "ON",
      postalCode: "M5X 1C7", email: "billing@nexa.example", gstHstNumber: "123456789 RT0001", qstNumber: "1234567890 TQ0001",
      bcPstNumber: "PST-1234-5678",
    },
  });

  const cloud = await tx.service.create({
    data: {
      code: "nexacloud",
      name: "NexaCloud",
      mode: "shadow",
      webhookSigningSecret: newWebhookSecret().stored,
      apiKeys: { create: { name: "demo", prefix: keys.cloud.prefix, keyHash: keys.cloud.hash } },
    },
  });
  const chat = await tx.service.create({
    data: {
      code: "nexachat",
      name: "NexaChat",
      mode: "live",
      webhookSigningSecret: newWebhookSecret().stored,
      apiKeys: { create: { name: "demo", prefix: keys.chat.prefix, keyHash: keys.chat.hash } },
    },
  });

  const cpu = await tx.billableMetric.create({
    data: { serviceId: cloud.id, code: "cpu_seconds", name: "CPU seconds", aggregation: "sum", fieldName: "seconds" },
  });
  const storage = await tx.billableMetric.create({
    data: { serviceId: cloud.id, code: "storage_gb", name: "Storage (GB, time-weighted)", aggregation: "weighted_sum", fieldName: "gb", recurring: true },
  });
  const messages = await tx.billableMetric.create({
    data: { serviceId: chat.id, code: "messages", name: "Messages sent", aggregation: "count" },
  });
  const seats = await tx.billableMetric.create({
    data: { serviceId: chat.id, code: "active_users", name: "Active users", aggregation: "unique_count", fieldName: "user_id" },
  });

  const cloudStarter = await tx.plan.create({
    data: {
      serviceId: cloud.id, code: "cloud_starter", name: "Cloud Starter", interval: "monthly", amountCents: BigInt(2000),
      payInAdvance: true,
      charges: {
        create: [
          { billableMetricId: cpu.id, code: "cpu_seconds", chargeModel: "standard", includedQuantity: 360000, properties: { amount: "0.0001" } },
          { billableMetricId: storage.id, code: "storage_gb", chargeModel: "standard", properties: { amount: "0.10" } },
        ],
      },
    },
  });
  await tx.plan.create({
    data: {
      serviceId: cloud.id, code: "cloud_pro", name: "Cloud Pro", interval: "monthly", amountCents: BigInt(9900), payInAdvance: true,
      charges: {
        create: [{
          billableMetricId: cpu.id, code: "cpu_seconds", chargeModel: "graduated", includedQuantity: 3600000,
          properties: { graduated_ranges: [
            { from_value: 0, to_value: 10000000, per_unit_amount: "0.00008", flat_amount: "0" },
            { from_value: 10000001, to_value: null, per_unit_amount: "0.00005", flat_amount: "0" },
          ] },
        }],
      },
    },
  });
  const chatTeam = await tx.plan.create({
    data: {
      serviceId: chat.id, code: "chat_team", name: "Chat Team", interval: "monthly", amountCents: BigInt(4900),
      charges: {
        create: [
          { billableMetricId: messages.id, code: "messages", chargeModel: "package", properties: { amount: "5.00", package_size: 10000, free_units: 50000 } },
          { billableMetricId: seats.id, code: "active_users", chargeModel: "volume", properties: { volume_ranges: [
            { from_value: 0, to_value: 10, per_unit_amount: "6.00", flat_amount: "0" },
            { from_value: 11, to_value: null, per_unit_amount: "4.50", flat_amount: "0" },
          ] } },
        ],
      },
    },
  });
  await tx.plan.create({
    data: { serviceId: chat.id, code: "chat_business_yearly", name: "Chat Business (yearly)", interval: "yearly", amountCents: BigInt(99000), payInAdvance: true },
  });

  const customers = [
    { legalName: "Maple Leaf Robotics Inc.", email: "billing@mapleleafrobotics.example", city: "Toronto", province: "ON", postalCode: "M5V 2T6", timezone: "America/Toronto" },
    { legalName: "Boréal Média Ltée", email: "comptes@borealmedia.example", city: "Montréal", province: "QC", postalCode: "H2Y 1C6", timezone: "America/Toronto" },
    { legalName: "Coastal Kelp Analytics Ltd.", email: "ap@coastalkelp.example", city: "Vancouver", province: "BC", postalCode: "V6B 1A1", timezone: "America/Vancouver" },
  ];
  const [maple, boreal, coastal] = await Promise.all(
    customers.map((c) => tx.customer.create({ data: { ...c, addressLine1: "100 Main Street", country: "CA", currency: "CAD" } })),
  );
  const now = new Date();
  // 06:00 UTC on the 1st: the 1st in every Canadian timezone.
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1, 6));
  await tx.accountLink.createMany({
    data: [
      { serviceId: cloud.id, externalId: "nc_user_1001", customerId: maple.id },
      { serviceId: chat.id, externalId: "chat_acct_maple", customerId: maple.id },
      { serviceId: chat.id, externalId: "chat_acct_boreal", customerId: boreal.id },
      { serviceId: cloud.id, externalId: "nc_user_1002", customerId: coastal.id },
    ],
  });
  const demoSubscriptions = [
    { externalId: "nc_sub_1001", customer: maple, service: cloud, plan: cloudStarter, shadow: true },
    { externalId: "chat_sub_maple", customer: maple, service: chat, plan: chatTeam, shadow: false },
    { externalId: "chat_sub_boreal", customer: boreal, service: chat, plan: chatTeam, shadow: false },
  ];
  await tx.subscription.createMany({
    data: demoSubscriptions.map(({ externalId, customer, service, plan, shadow }) => ({
      externalId, customerId: customer.id, serviceId: service.id, planId: plan.id, shadow,
      billingAnchorDate: monthStart, subscriptionAt: monthStart, startedAt: monthStart,
      nextBillingAt: firstBillingAt({ billingTime: "calendar", billingAnchorDate: monthStart, startedAt: monthStart, endingAt: null }, plan, customer.timezone),
    })),
  });
  return [
    { service: "nexacloud", key: keys.cloud.key },
    { service: "nexachat", key: keys.chat.key },
  ];
}
