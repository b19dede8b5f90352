-- CreateEnum
CREATE TYPE "CouponType" AS ENUM ('fixed_amount', 'percentage');

-- CreateEnum
CREATE TYPE "CouponFrequency" AS ENUM ('once', 'recurring', 'forever');

-- CreateEnum
CREATE TYPE "CouponStatus" AS ENUM ('active', 'terminated');

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "couponsCents" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Coupon" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "couponType" "CouponType" NOT NULL,
    "amountCents" BIGINT,
    "currency" CHAR(3),
    "percentageRate" DECIMAL(9,4),
    "frequency" "CouponFrequency" NOT NULL DEFAULT 'once',
    "frequencyDuration" INTEGER,
    "reusable" BOOLEAN NOT NULL DEFAULT true,
    "expirationAt" TIMESTAMPTZ(3),
    "status" "CouponStatus" NOT NULL DEFAULT 'active',
    "terminatedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Coupon_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CouponPlan" (
    "couponId" UUID NOT NULL,
    "planId" UUID NOT NULL,

    CONSTRAINT "CouponPlan_pkey" PRIMARY KEY ("couponId","planId")
);

-- CreateTable
CREATE TABLE "AppliedCoupon" (
    "id" UUID NOT NULL,
    "couponId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "amountCents" BIGINT,
    "currency" CHAR(3),
    "percentageRate" DECIMAL(9,4),
    "frequency" "CouponFrequency" NOT NULL,
    "frequencyDuration" INTEGER,
    "amountCentsRemaining" BIGINT,
    "frequencyDurationRemaining" INTEGER,
    "status" "CouponStatus" NOT NULL DEFAULT 'active',
    "terminatedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AppliedCoupon_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceCoupon" (
    "id" UUID NOT NULL,
    "invoiceId" UUID NOT NULL,
    "appliedCouponId" UUID NOT NULL,
    "amountCents" BIGINT NOT NULL,
    "periodsConsumed" INTEGER NOT NULL DEFAULT 0,
    "exhausted" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoiceCoupon_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AddOn" (
    "id" UUID NOT NULL,
    "serviceId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "invoiceDisplayName" TEXT,
    "amountCents" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'CAD',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "AddOn_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Coupon_serviceId_code_idx" ON "Coupon"("serviceId", "code");

-- CreateIndex
CREATE INDEX "CouponPlan_planId_idx" ON "CouponPlan"("planId");

-- CreateIndex
CREATE INDEX "AppliedCoupon_customerId_serviceId_status_idx" ON "AppliedCoupon"("customerId", "serviceId", "status");

-- CreateIndex
CREATE INDEX "AppliedCoupon_couponId_idx" ON "AppliedCoupon"("couponId");

-- CreateIndex
CREATE INDEX "InvoiceCoupon_appliedCouponId_idx" ON "InvoiceCoupon"("appliedCouponId");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceCoupon_invoiceId_appliedCouponId_key" ON "InvoiceCoupon"("invoiceId", "appliedCouponId");

-- CreateIndex
CREATE INDEX "AddOn_serviceId_code_idx" ON "AddOn"("serviceId", "code");

-- AddForeignKey
ALTER TABLE "Coupon" ADD CONSTRAINT "Coupon_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CouponPlan" ADD CONSTRAINT "CouponPlan_couponId_fkey" FOREIGN KEY ("couponId") REFERENCES "Coupon"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CouponPlan" ADD CONSTRAINT "CouponPlan_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppliedCoupon" ADD CONSTRAINT "AppliedCoupon_couponId_fkey" FOREIGN KEY ("couponId") REFERENCES "Coupon"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppliedCoupon" ADD CONSTRAINT "AppliedCoupon_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppliedCoupon" ADD CONSTRAINT "AppliedCoupon_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceCoupon" ADD CONSTRAINT "InvoiceCoupon_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceCoupon" ADD CONSTRAINT "InvoiceCoupon_appliedCouponId_fkey" FOREIGN KEY ("appliedCouponId") REFERENCES "AppliedCoupon"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AddOn" ADD CONSTRAINT "AddOn_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "Service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Codes are unique per service among coupons and add-ons not deleted.
CREATE UNIQUE INDEX "Coupon_service_code_live_key" ON "Coupon"("serviceId", "code") WHERE "deletedAt" IS NULL;
CREATE UNIQUE INDEX "AddOn_service_code_live_key" ON "AddOn"("serviceId", "code") WHERE "deletedAt" IS NULL;
