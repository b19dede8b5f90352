-- AlterTable
ALTER TABLE "StaffUser" ADD COLUMN     "sessionVersion" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "passwordHash" DROP NOT NULL;

-- CreateTable
CREATE TABLE "StaffPasswordLink" (
    "id" UUID NOT NULL,
    "staffUserId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StaffPasswordLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerLinkToken" (
    "id" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "issuedByType" "ActorType" NOT NULL,
    "issuedById" TEXT,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "usedByServiceId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerLinkToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "StaffPasswordLink_tokenHash_key" ON "StaffPasswordLink"("tokenHash");

-- CreateIndex
CREATE INDEX "StaffPasswordLink_staffUserId_idx" ON "StaffPasswordLink"("staffUserId");

-- CreateIndex
CREATE UNIQUE INDEX "CustomerLinkToken_tokenHash_key" ON "CustomerLinkToken"("tokenHash");

-- CreateIndex
CREATE INDEX "CustomerLinkToken_customerId_idx" ON "CustomerLinkToken"("customerId");

-- AddForeignKey
ALTER TABLE "StaffPasswordLink" ADD CONSTRAINT "StaffPasswordLink_staffUserId_fkey" FOREIGN KEY ("staffUserId") REFERENCES "StaffUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerLinkToken" ADD CONSTRAINT "CustomerLinkToken_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
