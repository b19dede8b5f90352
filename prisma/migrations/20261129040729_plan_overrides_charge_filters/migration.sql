-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "parentId" UUID;

-- AlterTable
ALTER TABLE "Charge" ADD COLUMN     "filters" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "parentId" UUID;

-- CreateIndex
CREATE INDEX "Plan_parentId_idx" ON "Plan"("parentId");

-- AddForeignKey
ALTER TABLE "Plan" ADD CONSTRAINT "Plan_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Plan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: a child plan (plan overrides) keeps its parent's code, so codes are unique among live parent plans only.
DROP INDEX "Plan_code_live_key";
CREATE UNIQUE INDEX "Plan_code_live_key" ON "Plan"("code") WHERE "deletedAt" IS NULL AND "parentId" IS NULL;
