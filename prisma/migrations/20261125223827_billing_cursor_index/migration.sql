-- DropIndex
DROP INDEX "Subscription_nextBillingAt_idx";

-- CreateIndex
CREATE INDEX "Subscription_nextBillingAt_customerId_serviceId_idx" ON "Subscription"("nextBillingAt", "customerId", "serviceId");
