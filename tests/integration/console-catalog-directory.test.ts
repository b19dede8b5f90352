import { beforeAll, describe, expect, it } from "vitest";
import { listMetricOptions, listMetricRows, listPlanRows, METRIC_SORTS, PLAN_SORTS } from "@/lib/console/catalog-directory";
import { API_KEY_SORTS, listApiKeys } from "@/lib/console/directory";
import { parseTableQuery } from "@/lib/console/table-query";
import { testDb, uniqueSuffix } from "../support/api-fixture";

const db = testDb;
const s = uniqueSuffix();

beforeAll(async () => {
  const metrics = await Promise.all(
    ["b", "a", "c"].map((letter) =>
      db().billableMetric.create({ data: { code: `dir_${s}_${letter}`, name: `Directory ${s} ${letter}`, aggregation: "sum", fieldName: "units" } }),
    ),
  );
  await db().billableMetric.create({ data: { code: `dir_${s}_deleted`, name: `Directory ${s} deleted`, aggregation: "count", deletedAt: new Date() } });
  await db().plan.create({
    data: {
      code: `dir_${s}_cheap`, name: `Directory ${s} cheap`, amountCents: BigInt(500),
      charges: { create: [{ billableMetricId: metrics[0].id, code: metrics[0].code, chargeModel: "standard", properties: { amount: "1" } }] },
    },
  });
  await db().plan.create({ data: { code: `dir_${s}_dear`, name: `Directory ${s} dear`, amountCents: BigInt(99900) } });
});

describe("console catalog lists", () => {
  it("filters metrics by name or code, sorts and pages them in the database, leaving deleted ones out", async () => {
    const query = parseTableQuery({ m_q: `dir_${s}`, m_sort: "code", m_dir: "desc", m_size: "10" }, "m_", { sortable: METRIC_SORTS, defaultSort: "name" });
    const page = await listMetricRows(db(), query);
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.code)).toEqual([`dir_${s}_c`, `dir_${s}_b`, `dir_${s}_a`]);
    expect(page.rows.find((r) => r.code === `dir_${s}_b`)?.charges).toBe(1);

    const second = await listMetricRows(db(), { ...query, perPage: 2, page: 2 });
    expect(second).toMatchObject({ total: 3, page: 2, pageCount: 2 });
    expect(second.rows.map((r) => r.code)).toEqual([`dir_${s}_a`]);

    const options = await listMetricOptions(db());
    expect(options.map((o) => o.code)).toContain(`dir_${s}_a`);
    expect(options.map((o) => o.code)).not.toContain(`dir_${s}_deleted`);
  });

  it("sorts plans by base fee and lists their charges, amounts as cent strings", async () => {
    const query = parseTableQuery({ p_q: `Directory ${s}`, p_sort: "amountCents", p_dir: "desc" }, "p_", { sortable: PLAN_SORTS, defaultSort: "name" });
    const page = await listPlanRows(db(), query);
    expect(page.rows.map((r) => [r.code, r.amountCents, r.charges])).toEqual([
      [`dir_${s}_dear`, "99900", []],
      [`dir_${s}_cheap`, "500", [`dir_${s}_b (standard)`]],
    ]);
  });

  it("lists a service's API keys by prefix, never the key, newest first by default", async () => {
    const service = await db().service.create({ data: { code: `dir_${s}_svc`, name: "Test directory" } });
    await db().apiKey.create({ data: { serviceId: service.id, name: "older", prefix: `nexa_sk_o${s}`, keyHash: `hash-o-${s}`, createdAt: new Date("2026-01-01T00:00:00Z") } });
    await db().apiKey.create({ data: { serviceId: service.id, name: "newer", prefix: `nexa_sk_n${s}`, keyHash: `hash-n-${s}`, revokedAt: new Date() } });
    const query = parseTableQuery({}, "k_", { sortable: API_KEY_SORTS, defaultSort: "createdAt", defaultDesc: true });
    const page = await listApiKeys(db(), service.id, query);
    expect(page.rows.map((r) => r.name)).toEqual(["newer", "older"]);
    expect(page.rows[0].revokedAt).not.toBeNull();
    expect(Object.keys(page.rows[0]).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "prefix", "revokedAt"]);
    expect((await listApiKeys(db(), service.id, { ...query, filter: "older" })).rows.map((r) => r.name)).toEqual(["older"]);
  });
});
