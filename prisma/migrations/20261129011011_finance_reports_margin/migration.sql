-- CreateTable
CREATE TABLE "ProviderCost" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "externalCustomerId" TEXT NOT NULL,
    "costDate" DATE NOT NULL,
    "costType" TEXT NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "description" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProviderCost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReportingToken" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ReportingToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ProviderCost_costDate_idx" ON "ProviderCost"("costDate");

-- CreateIndex
CREATE INDEX "ProviderCost_customerId_costDate_idx" ON "ProviderCost"("customerId", "costDate");

-- CreateIndex
CREATE UNIQUE INDEX "ProviderCost_serviceId_idempotencyKey_key" ON "ProviderCost"("serviceId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "ReportingToken_prefix_key" ON "ReportingToken"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "ReportingToken_tokenHash_key" ON "ReportingToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "ProviderCost" ADD CONSTRAINT "ProviderCost_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProviderCost" ADD CONSTRAINT "ProviderCost_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
