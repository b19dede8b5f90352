-- AlterTable
ALTER TABLE "Charge" ADD COLUMN     "position" INTEGER NOT NULL DEFAULT 0;
