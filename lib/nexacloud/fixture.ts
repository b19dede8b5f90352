/**
 * A deterministic, realistic NexaCloud source database for tests, the e2e run and `npm run nexacloud:fixture`.
 *
 * The fixture bills its own invoices the way NexaCloud does (so reconciliation has something true to compare with) and
 * returns a manifest of what the importer and the reconciliation must find: ten hand-written edge-case users first,
 * then generated ones sprinkled with the same cases. NexaCloud's known quirks, reproduced on purpose:
 * - a subscription canceled mid-month is still invoiced the whole monthly fee (Nexa Billing prorates to the day);
 * - loyalty credits are invoice items with a negative subtotal;
 * - some fees are a cent off (NexaCloud rounded them its own way), within the default tolerance.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { SOURCE_SCHEMA_SQL } from "./source-schema";

export const FIXTURE_MONTHS = ["2026-08", "2026-09", "2026-10"] as const;
/** The month the manifest's reconciliation expectations are for. */
export const FIXTURE_RECONCILED_MONTH = "2026-09";

interface PlanRow { id: number; code: string; name: string; monthly_price_cents: number; included_cpu_hours: string; overage_cents_per_cpu_hour: string }
interface UserRow { id: number; email: string; name: string; company: string | null; province: string | null; country: string; created_at: string; stripe_customer_id: string | null }
interface SubscriptionRow { id: number; user_id: number; plan_id: number | null; status: string; started_at: string; canceled_at: string | null; current_period_start: string; current_period_end: string }
interface DeploymentRow { id: number; user_id: number; subscription_id: number; name: string; status: string; created_at: string; deleted_at: string | null }
interface UsageRow { id: number; deployment_id: number | null; subscription_id: number | null; period: string; cpu_hours: string }
interface InvoiceRow { id: number; user_id: number; period: string; status: string; created_at: string }
interface InvoiceItemRow { id: number; invoice_id: number; user_id: number; period: string; description: string; subtotal_cents: number }

export interface FixtureData {
  plans: PlanRow[];
  users: UserRow[];
  subscriptions: SubscriptionRow[];
  deployments: DeploymentRow[];
  usage: UsageRow[];
  invoices: InvoiceRow[];
  invoice_items: InvoiceItemRow[];
}

export type ImportOutcome = "created" | "skipped" | "failed";

export interface FixtureManifest {
  /** Expected outcome of a first real import, per entity and source id. */
  outcomes: { plans: Record<number, ImportOutcome>; users: Record<number, ImportOutcome>; subscriptions: Record<number, ImportOutcome>; usage: Record<number, ImportOutcome> };
  /** Users that share an e-mail (ignoring case) with an earlier user: imported as separate customers, with a warning. */
  duplicateEmailUserIds: number[];
  /** Canadian users without a province: imported, with a warning. */
  missingProvinceUserIds: number[];
  /** For FIXTURE_RECONCILED_MONTH with a 1-cent tolerance: user id → expected status and delta (computed − NexaCloud). */
  reconciliation: Record<number, { status: "match" | "delta" | "error"; deltaCents: number | null; computedCents: number | null; externalCents: number }>;
  /** Users NexaCloud invoiced in that month that cannot be reconciled because the user itself failed to import. */
  unlinkedUserIds: number[];
}

/** The named edge cases among the first users (ids are stable across seeds). */
export const EDGE_USERS = {
  underIncluded: 1,
  overage: 2,
  canceledMidMonth: 3,
  noPlan: 4,
  duplicateEmail: 5,
  unknownPlan: 6,
  missingProvince: 7,
  loyaltyCredit: 8,
  centOff: 9,
  outsideCanada: 10,
  noName: 11,
  startedMidMonth: 12,
} as const;

const UNKNOWN_PLAN_ID = 99;
const PROVINCES = ["ON", "ON", "ON", "QC", "QC", "BC", "AB", "MB", "NS", "NB", "SK"];
const FIRST = ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Charlie", "Robin", "Dana", "Emery", "Hayden"];
const LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Smith", "Brown", "Wilson", "MacDonald", "Singh", "Chen", "Nguyen", "Martin", "Lee", "Campbell"];
const COMPANY = ["Maple", "Boreal", "Laurentian", "Prairie", "Harbour", "Northern", "Fundy", "Rideau", "Okanagan", "Muskoka"];
const KIND = ["Labs", "Software", "Analytics", "Studio", "Systems", "Digital", "Cloudworks", "Robotics"];

/** mulberry32: small, fast and deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLANS: PlanRow[] = [
  { id: 1, code: "starter", name: "Starter", monthly_price_cents: 1500, included_cpu_hours: "50.00", overage_cents_per_cpu_hour: "3.6000" },
  { id: 2, code: "pro", name: "Pro", monthly_price_cents: 4900, included_cpu_hours: "500.00", overage_cents_per_cpu_hour: "2.8800" },
  { id: 3, code: "business", name: "Business", monthly_price_cents: 19900, included_cpu_hours: "2500.00", overage_cents_per_cpu_hour: "1.8000" },
];
/** What NexaCloud charges for subscriptions whose plan row is gone (unknown plan id). */
const LEGACY_PRICE_CENTS = 2900;

const daysIn = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
const monthStart = (month: string) => new Date(`${month}-01T00:00:00Z`);
const nextMonth = (month: string) => {
  const d = monthStart(month);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 7);
};
/** Integer half-up division of non-negative numbers scaled as bigint. */
const halfUp = (numerator: bigint, denominator: bigint) => Number((numerator * 2n + denominator) / (denominator * 2n));
/** "12.34" → 1234n (hundredths); "3.6000" → 36000n (ten-thousandths). */
const scaled = (text: string, places: number) => {
  const [whole, fraction = ""] = text.split(".");
  return BigInt(whole) * 10n ** BigInt(places) + BigInt((fraction + "0".repeat(places)).slice(0, places));
};

interface UserPlanSpec {
  planId: number | null;
  startedAt: Date;
  canceledAt: Date | null;
  /** cpu hours per month (total across the user's usage rows), in hundredths. */
  hours: Record<string, number>;
  deployments: number;
  daily: boolean;
  bySubscription: boolean;
  loyaltyCredit: boolean;
  centOff: boolean;
  negativeUsageRow: boolean;
}

export function generateFixture(options: { seed?: number; users?: number } = {}): { data: FixtureData; manifest: FixtureManifest } {
  const random = prng(options.seed ?? 42);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;
  const userCount = Math.max(options.users ?? 300, 12);

  const data: FixtureData = { plans: PLANS.map((p) => ({ ...p })), users: [], subscriptions: [], deployments: [], usage: [], invoices: [], invoice_items: [] };
  const manifest: FixtureManifest = {
    outcomes: { plans: Object.fromEntries(PLANS.map((p) => [p.id, "created" as const])), users: {}, subscriptions: {}, usage: {} },
    duplicateEmailUserIds: [],
    missingProvinceUserIds: [],
    reconciliation: {},
    unlinkedUserIds: [],
  };
  const month = FIXTURE_RECONCILED_MONTH;
  const seenEmails = new Map<string, number>();

  for (let id = 1; id <= userCount; id++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    let email = `${first}.${last}.${id}@example.ca`.toLowerCase().normalize("NFD").replace(/[^\x20-\x7e]/g, "");
    const duplicate = id === EDGE_USERS.duplicateEmail || (id > 12 && chance(0.03));
    if (duplicate) email = data.users[id === EDGE_USERS.duplicateEmail ? 0 : Math.floor(random() * data.users.length)].email.toUpperCase();
    const outside = id === EDGE_USERS.outsideCanada || (id > 12 && chance(0.05));
    const missingProvince = !outside && (id === EDGE_USERS.missingProvince || (id > 12 && chance(0.03)));
    const user: UserRow = {
      id,
      email,
      name: id === EDGE_USERS.noName ? "" : `${first} ${last}`,
      company: id === EDGE_USERS.noName ? null : chance(0.6) ? `${pick(COMPANY)} ${pick(KIND)}` : null,
      province: outside || missingProvince ? null : pick(PROVINCES),
      country: outside ? "US" : "CA",
      created_at: new Date(Date.UTC(2025, Math.floor(random() * 12), 1 + Math.floor(random() * 27), 14)).toISOString(),
      stripe_customer_id: chance(0.7) ? `cus_${randomToken(random)}` : null,
    };
    data.users.push(user);
    const userFails = id === EDGE_USERS.noName;
    manifest.outcomes.users[id] = userFails ? "failed" : "created";
    if (seenEmails.has(email.toLowerCase()) && !userFails) manifest.duplicateEmailUserIds.push(id);
    else seenEmails.set(email.toLowerCase(), id);
    if (missingProvince) manifest.missingProvinceUserIds.push(id);

    const plan = pick(PLANS);
    const spec: UserPlanSpec = {
      planId: plan.id,
      startedAt: new Date(Date.UTC(2026, 3 + Math.floor(random() * 3), 1 + Math.floor(random() * 28), 9 + Math.floor(random() * 8))),
      canceledAt: null,
      hours: {},
      deployments: 1 + Math.floor(random() * 3),
      daily: id > 12 && chance(0.1),
      bySubscription: id > 12 && chance(0.15),
      loyaltyCredit: id === EDGE_USERS.loyaltyCredit || (id > 12 && chance(0.04)),
      centOff: id === EDGE_USERS.centOff || (id > 12 && chance(0.04)),
      negativeUsageRow: id === EDGE_USERS.overage,
    };
    for (const m of FIXTURE_MONTHS) {
      const included = Number(scaled(PLANS.find((p) => p.id === spec.planId)!.included_cpu_hours, 2));
      spec.hours[m] = Math.floor(included * (chance(0.3) ? 1 + random() : random() * 0.9));
    }
    if (id === EDGE_USERS.underIncluded) spec.hours[month] = 1234;
    if (id === EDGE_USERS.overage) {
      spec.planId = 1;
      spec.hours[month] = 6234; // 62.34 h on Starter: 12.34 h over × 3.6 ¢ = 44.424 ¢ → 44 ¢
    }
    if (id === EDGE_USERS.canceledMidMonth || (id > 12 && chance(0.04))) {
      spec.planId = id === EDGE_USERS.canceledMidMonth ? 2 : spec.planId;
      spec.canceledAt = new Date(Date.UTC(2026, 8, id === EDGE_USERS.canceledMidMonth ? 15 : 3 + Math.floor(random() * 24), 12));
      spec.daily = false;
    }
    if (id === EDGE_USERS.startedMidMonth || (id > 12 && !spec.canceledAt && chance(0.03))) {
      spec.startedAt = new Date(Date.UTC(2026, 8, id === EDGE_USERS.startedMidMonth ? 10 : 2 + Math.floor(random() * 25), 15));
      spec.daily = false;
    }
    if (id > 12 && !spec.canceledAt && spec.startedAt < monthStart("2026-08") && chance(0.02)) spec.canceledAt = new Date(Date.UTC(2026, 7, 5 + Math.floor(random() * 20), 10)); // gone before the month
    if (id === EDGE_USERS.noPlan || (id > 12 && chance(0.02))) spec.planId = null;
    else if (id === EDGE_USERS.unknownPlan || (id > 12 && chance(0.02))) spec.planId = UNKNOWN_PLAN_ID;

    addSubscription(data, manifest, user, spec, userFails, random);
  }
  return { data, manifest };
}

function randomToken(random: () => number) {
  return Array.from({ length: 14 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(random() * 36)]).join("");
}

function addSubscription(data: FixtureData, manifest: FixtureManifest, user: UserRow, spec: UserPlanSpec, userFails: boolean, random: () => number) {
  const subId = user.id * 10 + 1;
  const plan = PLANS.find((p) => p.id === spec.planId) ?? null;
  const subOutcome: ImportOutcome = userFails || spec.planId === null ? "skipped" : !plan ? "failed" : "created";
  const status = spec.canceledAt ? "canceled" : "active";
  data.subscriptions.push({
    id: subId,
    user_id: user.id,
    plan_id: spec.planId,
    status,
    started_at: spec.startedAt.toISOString(),
    canceled_at: spec.canceledAt?.toISOString() ?? null,
    current_period_start: "2026-11-01T00:00:00.000Z",
    current_period_end: "2026-12-01T00:00:00.000Z",
  });
  manifest.outcomes.subscriptions[subId] = subOutcome;

  const deploymentIds: number[] = [];
  for (let d = 0; d < spec.deployments; d++) {
    const id = subId * 10 + d;
    deploymentIds.push(id);
    data.deployments.push({
      id, user_id: user.id, subscription_id: subId, name: `app-${user.id}-${d}`,
      status: d === 2 ? "deleted" : "running", created_at: spec.startedAt.toISOString(), deleted_at: d === 2 ? "2026-10-20T00:00:00.000Z" : null,
    });
  }

  const invoiceIdFor = (month: string) => user.id * 100 + FIXTURE_MONTHS.indexOf(month as (typeof FIXTURE_MONTHS)[number]);
  for (const month of FIXTURE_MONTHS) {
    const start = monthStart(month);
    const end = monthStart(nextMonth(month));
    if (spec.startedAt >= end || (spec.canceledAt && spec.canceledAt < start)) continue;
    const usageOutcome: ImportOutcome = subOutcome === "created" ? "created" : "skipped";
    // Usage rows, split across deployments (or days, or the subscription itself); they add up to spec.hours[month].
    const total = spec.hours[month];
    const parts = spec.daily ? 3 : spec.deployments;
    let left = total;
    for (let p = 0; p < parts; p++) {
      const hundredths = p === parts - 1 ? left : Math.floor(left * random());
      left -= hundredths;
      const id = invoiceIdFor(month) * 100 + p;
      const firstActiveDay = spec.startedAt >= start ? spec.startedAt.getUTCDate() : 1;
      const period = spec.daily ? `${month}-${String(firstActiveDay + p * 7).padStart(2, "0")}` : month;
      data.usage.push({
        id,
        deployment_id: spec.bySubscription ? null : deploymentIds[spec.daily ? 0 : p],
        subscription_id: spec.bySubscription ? subId : null,
        period,
        cpu_hours: (hundredths / 100).toFixed(2),
      });
      manifest.outcomes.usage[id] = usageOutcome;
    }
    if (spec.negativeUsageRow && month === "2026-10") {
      const id = invoiceIdFor(month) * 100 + 99;
      data.usage.push({ id, deployment_id: deploymentIds[0], subscription_id: null, period: month, cpu_hours: "-3.00" });
      manifest.outcomes.usage[id] = subOutcome === "created" ? "failed" : "skipped";
    }

    // NexaCloud's invoice for the month.
    const dim = daysIn(month);
    const price = plan?.monthly_price_cents ?? LEGACY_PRICE_CENTS;
    const startedInMonth = spec.startedAt >= start;
    const ncFee = startedInMonth ? halfUp(BigInt(price) * BigInt(dim - spec.startedAt.getUTCDate() + 1), BigInt(dim)) : price;
    const items: Omit<InvoiceItemRow, "id" | "invoice_id">[] = [];
    if (spec.planId === null) continue; // the free tier: NexaCloud never invoices it
    const isMonth = month === FIXTURE_RECONCILED_MONTH;
    const centOff = isMonth && spec.centOff ? 1 : 0;
    items.push({ user_id: user.id, period: month, description: `${plan?.name ?? "Legacy Hobby"} — monthly fee`, subtotal_cents: ncFee + centOff });
    let overageCents = 0;
    if (plan) {
      const overHundredths = BigInt(Math.max(0, total - Number(scaled(plan.included_cpu_hours, 2))));
      // hundredths of an hour × ten-thousandths of a cent = millionths of a cent
      overageCents = halfUp(overHundredths * scaled(plan.overage_cents_per_cpu_hour, 4), 1_000_000n);
      if (overageCents > 0) items.push({ user_id: user.id, period: month, description: `CPU overage (${(Number(overHundredths) / 100).toFixed(2)} h)`, subtotal_cents: overageCents });
    }
    const credit = isMonth && spec.loyaltyCredit ? -500 : 0;
    if (credit) items.push({ user_id: user.id, period: month, description: "Loyalty credit", subtotal_cents: credit });
    const invoiceId = invoiceIdFor(month);
    data.invoices.push({ id: invoiceId, user_id: user.id, period: month, status: "paid", created_at: end.toISOString() });
    for (const [i, item] of items.entries()) data.invoice_items.push({ id: invoiceId * 10 + i, invoice_id: invoiceId, ...item });

    if (!isMonth) continue;
    const externalCents = items.reduce((sum, item) => sum + item.subtotal_cents, 0);
    if (userFails) {
      manifest.unlinkedUserIds.push(user.id);
    } else if (!plan) {
      manifest.reconciliation[user.id] = { status: "error", deltaCents: null, computedCents: null, externalCents };
    } else {
      // Nexa Billing: the fee prorated to the day for a start or a cancellation inside the month (both days included).
      const canceledInMonth = spec.canceledAt !== null && spec.canceledAt < end;
      const fromDay = startedInMonth ? spec.startedAt.getUTCDate() : 1;
      const toDay = canceledInMonth ? spec.canceledAt!.getUTCDate() : dim;
      const fee = fromDay === 1 && toDay === dim ? price : halfUp(BigInt(price) * BigInt(toDay - fromDay + 1), BigInt(dim));
      const computedCents = fee + overageCents;
      const deltaCents = computedCents - externalCents;
      manifest.reconciliation[user.id] = { status: Math.abs(deltaCents) <= 1 ? "match" : "delta", deltaCents, computedCents, externalCents };
    }
  }
}

async function insertRows(client: pg.Client, table: string, rows: object[]) {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  for (let offset = 0; offset < rows.length; offset += 500) {
    const chunk = rows.slice(offset, offset + 500);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => `(${columns.map((column) => `$${values.push((row as Record<string, unknown>)[column])}`).join(", ")})`);
    await client.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")}`, values);
  }
}

/** Creates the NexaCloud schema and the fixture's rows in the (empty) database at `url`. */
export async function writeFixture(url: string, data: FixtureData): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(SOURCE_SCHEMA_SQL);
    for (const table of ["plans", "users", "subscriptions", "deployments", "usage", "invoices", "invoice_items"] as const) {
      await insertRows(client, table, data[table]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string, credentials?: { user: string; password: string }): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (credentials) {
    u.username = credentials.user;
    u.password = credentials.password;
  }
  return u.toString();
}

/** A new database named `<prefix>_<unique>` on the server of `adminUrl`, filled with a generated fixture. */
export async function createFixtureDatabase(adminUrl: string, options: { seed?: number; users?: number; prefix?: string; name?: string } = {}) {
  const name = options.name ?? `${options.prefix ?? "nexacloud"}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const fixture = generateFixture(options);
  await writeFixture(url, fixture.data);
  return { url, name, ...fixture };
}

/**
 * A login role that may only SELECT the fixture's tables (no INSERT, UPDATE, DELETE, TRUNCATE or DDL), and its DSN: what
 * production gives the importer.
 */
export async function createSelectOnlyRole(databaseUrl: string, role = `nexacloud_reader_${randomBytes(4).toString("hex")}`): Promise<string> {
  const password = randomBytes(12).toString("hex");
  const database = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    await client.query(`REVOKE ALL ON DATABASE "${database}" FROM PUBLIC`);
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await client.query(`GRANT CONNECT ON DATABASE "${database}" TO "${role}"`);
    await client.query(`GRANT USAGE ON SCHEMA public TO "${role}"`);
    await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${role}"`);
  } finally {
    await client.end();
  }
  return withDatabase(databaseUrl, database, { user: role, password });
}
