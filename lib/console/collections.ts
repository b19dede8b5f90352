import type { Db } from "@/lib/db/prisma";
import type { DunningCampaign, DunningStatus, Prisma } from "@/lib/generated/prisma/client";
import { nextDunningAction } from "@/lib/dunning/dunning-schedule";
import { amountDueCents } from "@/lib/payments/chargeability";
import { z } from "zod";
import { fetchTablePage, orderBySort, type TableQuery } from "./table-query";
import { containsInsensitive } from "@/lib/db/text-match";

export const DUNNING_SORTS = ["startedAt", "nextActionAt", "status"] as const;
export type DunningSort = (typeof DUNNING_SORTS)[number];
/** Only these columns can be empty: Prisma refuses `nulls` on the others. */
const NULLABLE_SORTS: ReadonlySet<DunningSort> = new Set(["nextActionAt"]);
export const DUNNING_STATUSES = ["active", "recovered", "suspended", "canceled"] as const;

export interface DunningRow {
  id: string;
  invoiceId: string;
  invoiceNumber: string;
  customer: string;
  service: string;
  status: DunningStatus;
  retriesDone: number;
  nextAction: string | null;
  nextActionAt: string | null;
  startedAt: string;
  amountDueCents: string;
  currency: string;
  lastError: string | null;
}

/** Invoices being chased, for the collections page: what failed, how far the campaign got, what comes next. */
export async function listDunningProcesses(client: Db, query: TableQuery<DunningSort>, status: DunningStatus | null) {
  const where: Prisma.DunningProcessWhereInput = {
    ...(status ? { status } : {}),
    ...(query.filter
      ? { invoice: { OR: [{ number: containsInsensitive(query.filter) }, { customer: { legalName: containsInsensitive(query.filter) } }] } }
      : {}),
  };
  return fetchTablePage<DunningRow>(
    query,
    () => client.dunningProcess.count({ where }),
    async (window) => {
      const rows = await client.dunningProcess.findMany({
        where,
        include: { campaign: true, invoice: { include: { customer: { select: { legalName: true } }, service: { select: { name: true } } } } },
        orderBy: orderBySort(query, NULLABLE_SORTS),
        ...window,
      });
      return rows.map((p) => {
        const next = p.status === "active" ? nextDunningAction(p.campaign, p.startedAt, p.step) : null;
        return {
          id: p.id,
          invoiceId: p.invoiceId,
          invoiceNumber: p.invoice.number ?? "",
          customer: p.invoice.customer.legalName,
          service: p.invoice.service.name,
          status: p.status,
          retriesDone: p.step,
          nextAction: next ? (next.kind === "retry" ? `Retry ${next.attempt} of ${p.campaign.retryDays.length}` : "Suspend") : null,
          nextActionAt: p.nextActionAt?.toISOString() ?? null,
          startedAt: p.startedAt.toISOString(),
          amountDueCents: (p.invoice.status === "finalized" ? amountDueCents(p.invoice) : BigInt(0)).toString(),
          currency: p.invoice.currency,
          lastError: p.lastError,
        };
      });
    },
  );
}

/** "1, 3, 7" → [1, 3, 7]; the campaign rules themselves are checked by updateDefaultCampaign. */
export const dunningCampaignForm = z.object({
  name: z.string().trim().min(1, "Name the campaign.").max(100),
  retry_days: z
    .string()
    .trim()
    .regex(/^\d{1,2}(\s*,\s*\d{1,2})*$/, "Whole days separated by commas, e.g. 1, 3, 7.")
    .transform((v) => v.split(",").map((d) => Number(d.trim()))),
  suspend_after_days: z.string().trim().regex(/^\d{1,3}$/, "A whole number of days.").transform(Number),
});

export function dunningCampaignDefaults(campaign: DunningCampaign) {
  return { name: campaign.name, retry_days: campaign.retryDays.join(", "), suspend_after_days: String(campaign.suspendAfterDays) };
}
