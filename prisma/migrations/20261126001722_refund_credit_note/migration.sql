-- AlterTable
ALTER TABLE "Refund" ADD COLUMN     "creditNoteId" UUID;
