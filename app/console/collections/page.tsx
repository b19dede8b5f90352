import type { Metadata } from "next";
import { DUNNING_SORTS, DUNNING_STATUSES, dunningCampaignDefaults, listDunningProcesses } from "@/lib/console/collections";
import { parseTableQuery, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { defaultCampaign } from "@/lib/dunning/dunning-campaigns";
import type { DunningStatus } from "@/lib/generated/prisma/client";
import { stripe } from "@/lib/payments/stripe-client";
import { updateDunningCampaignAction } from "./actions";
import { DunningCampaignForm } from "@/components/console/dunning-campaign-form";
import { DunningTable } from "@/components/console/dunning-table";

export const metadata: Metadata = { title: "Collections" };
export const dynamic = "force-dynamic";

export default async function CollectionsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const query = parseTableQuery(params, "d_", { sortable: DUNNING_SORTS, defaultSort: "startedAt", defaultDesc: true, defaultPerPage: 25 });
  const rawStatus = typeof params.status === "string" ? params.status : null;
  const status = (DUNNING_STATUSES as readonly string[]).includes(rawStatus ?? "") ? (rawStatus as DunningStatus) : null;
  const [campaign, processes] = await Promise.all([defaultCampaign(db()), listDunningProcesses(db(), query, status)]);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Collections</h1>
        <p className="mt-1 text-sm text-slate-600">
          Finalized live invoices are charged to the customer&apos;s default card. A failed charge starts the dunning campaign below.
          {stripe() ? "" : " Card payments are off: STRIPE_SECRET_KEY is not set."}
        </p>
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 className="mb-3 text-lg font-semibold">Dunning campaign</h2>
        <DunningCampaignForm action={updateDunningCampaignAction} defaults={dunningCampaignDefaults(campaign)} />
      </section>
      <DunningTable rows={processes.rows} status={status} state={{ ...query, page: processes.page, pageCount: processes.pageCount, total: processes.total }} />
    </div>
  );
}
