-- CreateIndex
CREATE INDEX "Invoice_invoiceType_periodStart_idx" ON "Invoice"("invoiceType", "periodStart");
