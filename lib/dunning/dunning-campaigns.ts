import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { DunningCampaign, Prisma } from "@/lib/generated/prisma/client";
import { DEFAULT_CAMPAIGN_RULES, validateCampaignRules, type CampaignRules } from "./dunning-schedule";

/** The campaign new failures follow, created with the standard rules (retries on days 1, 3, 7) the first time. */
export async function defaultCampaign(tx: Prisma.TransactionClient | Db): Promise<DunningCampaign> {
  const existing = await tx.dunningCampaign.findFirst({ where: { isDefault: true } });
  if (existing) return existing;
  await tx.$executeRaw`
    INSERT INTO "DunningCampaign" (id, name, "retryDays", "suspendAfterDays", "isDefault", "updatedAt")
    VALUES (gen_random_uuid(), 'Standard', ${DEFAULT_CAMPAIGN_RULES.retryDays}::int[], ${DEFAULT_CAMPAIGN_RULES.suspendAfterDays}, true, now())
    ON CONFLICT DO NOTHING`;
  return tx.dunningCampaign.findFirstOrThrow({ where: { isDefault: true } });
}

/** Changes the default campaign's rules; invoices already in dunning keep counting from their first failure. */
export async function updateDefaultCampaign(client: Db, rules: CampaignRules & { name?: string }): Promise<DunningCampaign> {
  const problem = validateCampaignRules(rules);
  if (problem) throw new DomainError("invalid", "validation_errors", { retryDays: ["invalid_schedule"] }, problem);
  const campaign = await defaultCampaign(client);
  return client.dunningCampaign.update({
    where: { id: campaign.id },
    data: { retryDays: rules.retryDays, suspendAfterDays: rules.suspendAfterDays, ...(rules.name ? { name: rules.name } : {}) },
  });
}
