-- DropIndex
DROP INDEX "BillableMetric_code_key";

-- DropIndex
DROP INDEX "Plan_code_key";

-- CreateIndex
CREATE INDEX "BillableMetric_code_idx" ON "BillableMetric"("code");

-- CreateIndex
CREATE INDEX "Plan_code_idx" ON "Plan"("code");

-- Hand-written: codes are unique among live (not deleted) catalog items, so a deleted code can be reused.
CREATE UNIQUE INDEX "BillableMetric_code_live_key" ON "BillableMetric"("code") WHERE "deletedAt" IS NULL;
CREATE UNIQUE INDEX "Plan_code_live_key" ON "Plan"("code") WHERE "deletedAt" IS NULL;
CREATE UNIQUE INDEX "Charge_plan_code_live_key" ON "Charge"("planId", "code") WHERE "deletedAt" IS NULL AND "planId" IS NOT NULL;
-- One active subscription per external id and service (an upgrade terminates the old row in the same transaction).
CREATE UNIQUE INDEX "Subscription_service_external_active_key" ON "Subscription"("serviceId", "externalId") WHERE "status" = 'active';
