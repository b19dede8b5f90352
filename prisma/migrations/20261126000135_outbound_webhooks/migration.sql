-- AlterEnum
CREATE TYPE "WebhookDeliveryStatus_new" AS ENUM ('pending', 'delivered', 'failed');
ALTER TABLE "WebhookDelivery" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "WebhookDelivery" ALTER COLUMN "status" TYPE "WebhookDeliveryStatus_new" USING ("status"::text::"WebhookDeliveryStatus_new");
ALTER TYPE "WebhookDeliveryStatus" RENAME TO "WebhookDeliveryStatus_old";
ALTER TYPE "WebhookDeliveryStatus_new" RENAME TO "WebhookDeliveryStatus";
DROP TYPE "WebhookDeliveryStatus_old";
ALTER TABLE "WebhookDelivery" ALTER COLUMN "status" SET DEFAULT 'pending';

-- DropIndex
DROP INDEX "WebhookEndpoint_serviceId_idx";

-- AlterTable
ALTER TABLE "WebhookEndpoint" DROP COLUMN "signingSecret",
ADD COLUMN     "eventTypes" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "name" TEXT,
ADD COLUMN     "signatureAlgo" TEXT NOT NULL DEFAULT 'hmac';

-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN     "sequence" BIGSERIAL NOT NULL;

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "eventSequence" BIGINT NOT NULL,
ADD COLUMN     "lastAttemptAt" TIMESTAMPTZ(3),
ADD COLUMN     "leasedUntil" TIMESTAMPTZ(3),
ADD COLUMN     "orderingKey" TEXT,
ADD COLUMN     "replayedAtAttempt" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "nextAttemptAt" SET NOT NULL;

-- CreateTable
CREATE TABLE "WebhookDeliveryAttempt" (
    "id" UUID NOT NULL,
    "deliveryId" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "statusCode" INTEGER,
    "latencyMs" INTEGER NOT NULL,
    "error" TEXT,
    "response" TEXT,

    CONSTRAINT "WebhookDeliveryAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDeliveryAttempt_deliveryId_attempt_key" ON "WebhookDeliveryAttempt"("deliveryId", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEndpoint_serviceId_url_key" ON "WebhookEndpoint"("serviceId", "url");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookEvent_sequence_key" ON "WebhookEvent"("sequence");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_orderingKey_eventSequence_idx" ON "WebhookDelivery"("endpointId", "orderingKey", "eventSequence");

-- CreateIndex
CREATE INDEX "WebhookDelivery_endpointId_createdAt_idx" ON "WebhookDelivery"("endpointId", "createdAt");

-- AddForeignKey
ALTER TABLE "WebhookDeliveryAttempt" ADD CONSTRAINT "WebhookDeliveryAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
