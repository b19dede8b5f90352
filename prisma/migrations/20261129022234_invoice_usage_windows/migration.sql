-- CreateTable
CREATE TABLE "InvoiceUsageWindow" (
    "invoiceId" UUID NOT NULL,
    "subscriptionId" UUID NOT NULL,
    "start" TIMESTAMPTZ(3) NOT NULL,
    "end" TIMESTAMPTZ(3) NOT NULL,
    "periodStart" TIMESTAMPTZ(3) NOT NULL,
    "periodEnd" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "InvoiceUsageWindow_pkey" PRIMARY KEY ("invoiceId","subscriptionId")
);

-- CreateIndex
CREATE INDEX "InvoiceUsageWindow_subscriptionId_idx" ON "InvoiceUsageWindow"("subscriptionId");

-- AddForeignKey
ALTER TABLE "InvoiceUsageWindow" ADD CONSTRAINT "InvoiceUsageWindow_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceUsageWindow" ADD CONSTRAINT "InvoiceUsageWindow_subscriptionId_fkey" FOREIGN KEY ("subscriptionId") REFERENCES "Subscription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invoices written before this table keep the windows recorded in their sources; their period was not recorded, so it
-- is taken as the window itself (no minimum proration: how those invoices were rated when they were written).
INSERT INTO "InvoiceUsageWindow" ("invoiceId", "subscriptionId", "start", "end", "periodStart", "periodEnd")
SELECT i.id, (src->>'subscriptionId')::uuid, (src->'usageWindow'->>'start')::timestamptz, (src->'usageWindow'->>'end')::timestamptz,
       (src->'usageWindow'->>'start')::timestamptz, (src->'usageWindow'->>'end')::timestamptz
  FROM "Invoice" i
 CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(i.sources) = 'array' THEN i.sources ELSE '[]'::jsonb END) AS src
  JOIN "Subscription" s ON s.id = (src->>'subscriptionId')::uuid
 WHERE jsonb_typeof(src->'usageWindow') = 'object'
ON CONFLICT DO NOTHING;
