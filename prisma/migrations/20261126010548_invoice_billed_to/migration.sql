-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "billedTo" JSONB;
