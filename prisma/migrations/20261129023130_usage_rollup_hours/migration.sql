-- CreateTable
CREATE TABLE "UsageRollupHour" (
    "subscriptionId" UUID NOT NULL,
    "billableMetricId" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "shard" SMALLINT NOT NULL,
    "rows" INTEGER NOT NULL,
    "total" DECIMAL(65,12) NOT NULL,
    "whole" DECIMAL(65,12),
    "max" DECIMAL(38,12) NOT NULL,
    "weighted" DECIMAL(65,12),
    "maxPeriodEnd" TIMESTAMPTZ(3) NOT NULL,
    "lastPeriodStart" TIMESTAMPTZ(3) NOT NULL,
    "lastPeriodEnd" TIMESTAMPTZ(3) NOT NULL,
    "lastCreatedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastId" UUID NOT NULL,
    "lastValue" DECIMAL(38,12) NOT NULL,

    CONSTRAINT "UsageRollupHour_pkey" PRIMARY KEY ("subscriptionId","billableMetricId","hour","shard")
);

-- UsageRollupHour is kept by the database itself, whoever writes UsageRollup (the API, imports, a console fix):
-- inserts add their rows' totals (one upsert per statement, buckets in key order so concurrent batches lock them in the
-- same order) to the shard of their backend process (pg_backend_pid() % 16), so concurrent writers on different
-- connections do not queue on one row; updates and deletes rebuild the hours they touched (all shards) from
-- UsageRollup into shard 0. Hours are UTC.
CREATE FUNCTION "usage_rollup_hour_totals"(src_sub UUID[], src_metric UUID[], src_ps TIMESTAMPTZ[], src_pe TIMESTAMPTZ[], src_value NUMERIC[], src_created TIMESTAMPTZ[], src_id UUID[])
RETURNS TABLE (s UUID, m UUID, h TIMESTAMPTZ, n INTEGER, total NUMERIC, whole NUMERIC, mx NUMERIC, weighted NUMERIC, max_pe TIMESTAMPTZ,
               last_ps TIMESTAMPTZ, last_pe TIMESTAMPTZ, last_created TIMESTAMPTZ, last_id UUID, last_value NUMERIC)
LANGUAGE sql STABLE AS $$
  WITH src AS (
    SELECT t.s, t.m, date_trunc('hour', t.ps, 'UTC') AS h, t.ps, t.pe, t.v, t.c, t.i
      FROM unnest(src_sub, src_metric, src_ps, src_pe, src_value, src_created, src_id) AS t(s, m, ps, pe, v, c, i)
     WHERE t.pe >= t.ps
  ), g AS (
    SELECT s, m, h, count(*)::int AS n, sum(v) AS total,
           sum(v) FILTER (WHERE v >= 0 AND v = trunc(v)) AS whole, max(v) AS mx,
           sum(v * (extract(epoch FROM pe - ps) * 1000)) FILTER (WHERE pe > ps) AS weighted, max(pe) AS max_pe
      FROM src GROUP BY s, m, h
  ), l AS (
    SELECT DISTINCT ON (s, m, h) s, m, h, ps, pe, c, i, v FROM src ORDER BY s, m, h, pe DESC, c DESC, i DESC
  )
  SELECT g.s, g.m, g.h, g.n, g.total, g.whole, g.mx, g.weighted, g.max_pe, l.ps, l.pe, l.c, l.i, l.v
    FROM g JOIN l ON l.s = g.s AND l.m = g.m AND l.h = g.h
   ORDER BY g.s, g.m, g.h
$$;

-- Hour keys are advisory-locked: adds share the lock (they only add to their own shard), a rebuild takes it alone, so a
-- rebuild never counts a row that an add also adds (nor runs twice at once), in key order to avoid deadlocks.
CREATE FUNCTION "usage_rollup_hour_lock_key"(s UUID, m UUID, h TIMESTAMPTZ) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
  SELECT hashtextextended(s::text || ':' || m::text || ':' || extract(epoch FROM h)::bigint::text, 0)
$$;

CREATE FUNCTION "usage_rollup_hour_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(k.key) FROM (
    SELECT DISTINCT "usage_rollup_hour_lock_key"("subscriptionId", "billableMetricId", date_trunc('hour', "periodStart", 'UTC')) AS key FROM new_rows ORDER BY 1) k;
  INSERT INTO "UsageRollupHour" AS t ("subscriptionId", "billableMetricId", "hour", "shard", "rows", "total", "whole", "max", "weighted", "maxPeriodEnd",
                                      "lastPeriodStart", "lastPeriodEnd", "lastCreatedAt", "lastId", "lastValue")
  SELECT a.s, a.m, a.h, (pg_backend_pid() % 16)::smallint, a.n, a.total, a.whole, a.mx, a.weighted, a.max_pe, a.last_ps, a.last_pe, a.last_created, a.last_id, a.last_value FROM (
    SELECT array_agg("subscriptionId") s, array_agg("billableMetricId") m, array_agg("periodStart") ps, array_agg("periodEnd") pe,
           array_agg("value") v, array_agg("createdAt") c, array_agg("id") i
      FROM new_rows
  ) r, "usage_rollup_hour_totals"(r.s, r.m, r.ps, r.pe, r.v, r.c, r.i) a
  ON CONFLICT ("subscriptionId", "billableMetricId", "hour", "shard") DO UPDATE SET
    "rows" = t."rows" + EXCLUDED."rows",
    "total" = t."total" + EXCLUDED."total",
    "whole" = coalesce(t."whole" + EXCLUDED."whole", t."whole", EXCLUDED."whole"),
    "max" = greatest(t."max", EXCLUDED."max"),
    "weighted" = coalesce(t."weighted" + EXCLUDED."weighted", t."weighted", EXCLUDED."weighted"),
    "maxPeriodEnd" = greatest(t."maxPeriodEnd", EXCLUDED."maxPeriodEnd"),
    "lastPeriodStart" = CASE WHEN (EXCLUDED."lastPeriodEnd", EXCLUDED."lastCreatedAt", EXCLUDED."lastId") > (t."lastPeriodEnd", t."lastCreatedAt", t."lastId") THEN EXCLUDED."lastPeriodStart" ELSE t."lastPeriodStart" END,
    "lastValue" = CASE WHEN (EXCLUDED."lastPeriodEnd", EXCLUDED."lastCreatedAt", EXCLUDED."lastId") > (t."lastPeriodEnd", t."lastCreatedAt", t."lastId") THEN EXCLUDED."lastValue" ELSE t."lastValue" END,
    "lastId" = CASE WHEN (EXCLUDED."lastPeriodEnd", EXCLUDED."lastCreatedAt", EXCLUDED."lastId") > (t."lastPeriodEnd", t."lastCreatedAt", t."lastId") THEN EXCLUDED."lastId" ELSE t."lastId" END,
    "lastCreatedAt" = CASE WHEN (EXCLUDED."lastPeriodEnd", EXCLUDED."lastCreatedAt", EXCLUDED."lastId") > (t."lastPeriodEnd", t."lastCreatedAt", t."lastId") THEN EXCLUDED."lastCreatedAt" ELSE t."lastCreatedAt" END,
    "lastPeriodEnd" = greatest(t."lastPeriodEnd", EXCLUDED."lastPeriodEnd");
  RETURN NULL;
END $$;

-- Rebuilds the given hours from UsageRollup (after an update or a delete, which cannot be subtracted from a max).
CREATE FUNCTION "usage_rollup_hour_rebuild"(keys_sub UUID[], keys_metric UUID[], keys_hour TIMESTAMPTZ[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(k.key) FROM (
    SELECT DISTINCT "usage_rollup_hour_lock_key"(s, m, h) AS key FROM unnest(keys_sub, keys_metric, keys_hour) AS u(s, m, h) ORDER BY 1) k;
  DELETE FROM "UsageRollupHour" t
   USING unnest(keys_sub, keys_metric, keys_hour) AS k(s, m, h)
   WHERE t."subscriptionId" = k.s AND t."billableMetricId" = k.m AND t."hour" = k.h;
  INSERT INTO "UsageRollupHour" ("subscriptionId", "billableMetricId", "hour", "shard", "rows", "total", "whole", "max", "weighted", "maxPeriodEnd",
                                 "lastPeriodStart", "lastPeriodEnd", "lastCreatedAt", "lastId", "lastValue")
  SELECT a.s, a.m, a.h, 0, a.n, a.total, a.whole, a.mx, a.weighted, a.max_pe, a.last_ps, a.last_pe, a.last_created, a.last_id, a.last_value FROM (
    SELECT array_agg(r."subscriptionId") s, array_agg(r."billableMetricId") m, array_agg(r."periodStart") ps, array_agg(r."periodEnd") pe,
           array_agg(r."value") v, array_agg(r."createdAt") c, array_agg(r."id") i
      FROM (SELECT DISTINCT * FROM unnest(keys_sub, keys_metric, keys_hour) AS k(s, m, h)) k
      JOIN "UsageRollup" r ON r."subscriptionId" = k.s AND r."billableMetricId" = k.m
                          AND r."periodStart" >= k.h AND r."periodStart" < k.h + interval '1 hour'
  ) r, "usage_rollup_hour_totals"(r.s, r.m, r.ps, r.pe, r.v, r.c, r.i) a
  WHERE r.s IS NOT NULL;
END $$;

CREATE FUNCTION "usage_rollup_hour_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM "usage_rollup_hour_rebuild"(array_agg(k.s), array_agg(k.m), array_agg(k.h)) FROM (
      SELECT "subscriptionId" s, "billableMetricId" m, date_trunc('hour', "periodStart", 'UTC') h FROM old_rows
      UNION SELECT "subscriptionId", "billableMetricId", date_trunc('hour', "periodStart", 'UTC') FROM new_rows ORDER BY 1, 2, 3) k;
  ELSE
    PERFORM "usage_rollup_hour_rebuild"(array_agg(k.s), array_agg(k.m), array_agg(k.h)) FROM (
      SELECT DISTINCT "subscriptionId" s, "billableMetricId" m, date_trunc('hour', "periodStart", 'UTC') h FROM old_rows ORDER BY 1, 2, 3) k;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "UsageRollup_hour_insert" AFTER INSERT ON "UsageRollup" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollup_hour_add"();
CREATE TRIGGER "UsageRollup_hour_update" AFTER UPDATE ON "UsageRollup" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollup_hour_changed"();
CREATE TRIGGER "UsageRollup_hour_delete" AFTER DELETE ON "UsageRollup" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "usage_rollup_hour_changed"();

-- The rollups already stored.
SELECT "usage_rollup_hour_rebuild"(array_agg(s), array_agg(m), array_agg(h))
  FROM (SELECT DISTINCT "subscriptionId" s, "billableMetricId" m, date_trunc('hour', "periodStart", 'UTC') h FROM "UsageRollup") k;
