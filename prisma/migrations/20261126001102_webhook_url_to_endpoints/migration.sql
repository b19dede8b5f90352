-- A service's webhook URL becomes its first webhook endpoint (all event types), then the column goes.
INSERT INTO "WebhookEndpoint" (id, "serviceId", url, name, "signatureAlgo", "eventTypes", active, "createdAt", "updatedAt")
SELECT gen_random_uuid(), id, "webhookUrl", 'Console', 'hmac', ARRAY[]::TEXT[], true, now(), now()
  FROM "Service"
 WHERE "webhookUrl" IS NOT NULL;

-- AlterTable
ALTER TABLE "Service" DROP COLUMN "webhookUrl";
