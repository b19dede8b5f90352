-- The period close writes a new version of every subscription it bills (its next billing date is in the due index),
-- and each version took an entry in every index of the table: in these two, nearly all under one key (the status
-- 'active', a null predecessor), so concurrent chunks wrote to the same few pages. Each keeps only the rows it is
-- read for.

-- Activation looks for pending subscriptions whose start has come.
DROP INDEX "Subscription_status_idx";
CREATE INDEX "Subscription_pending_subscriptionAt_idx" ON "Subscription"("subscriptionAt") WHERE "status" = 'pending';

-- Only a plan change's successor names its predecessor; uniqueness never concerned the nulls.
DROP INDEX "Subscription_previousSubscriptionId_key";
CREATE UNIQUE INDEX "Subscription_previousSubscriptionId_key" ON "Subscription"("previousSubscriptionId") WHERE "previousSubscriptionId" IS NOT NULL;
