import { parseAmountToCents } from "@/lib/billing/money";
import { RECONCILIATION_SORTS, RECONCILIATION_STATUSES, type ReconciliationFilters } from "@/lib/console/nexacloud";
import { parseTableQuery, type SearchParams } from "@/lib/console/table-query";
import type { ReconciliationStatus } from "@/lib/generated/prisma/client";
import { isPeriod } from "@/lib/nexacloud/reconciliation";

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

/** The page's and the CSV export's filters from the URL; anything malformed is ignored. */
export function reconciliationFilters(params: SearchParams, serviceId: string, text = ""): ReconciliationFilters & { raw: { period: string; status: string; minDelta: string } } {
  const period = first(params.period);
  const status = first(params.status);
  const minDelta = first(params.min_delta).trim();
  const cents = minDelta ? parseAmountToCents(minDelta) : null;
  return {
    serviceId,
    period: isPeriod(period) ? period : null,
    status: (RECONCILIATION_STATUSES as readonly string[]).includes(status) ? (status as ReconciliationStatus) : null,
    minDeltaCents: cents && cents.ok ? cents.cents : null,
    text,
    raw: { period: isPeriod(period) ? period : "", status, minDelta },
  };
}

/** The rows table's state (prefix c_): the page and the export read it the same way. */
export function reconciliationQuery(params: SearchParams) {
  return parseTableQuery(params, "c_", { sortable: RECONCILIATION_SORTS, defaultSort: "deltaCents", defaultDesc: true, defaultPerPage: 25 });
}

/** The export's address for the filters and the table's text filter and order (never its page). */
export function reconciliationExportHref(params: SearchParams): string {
  const keep = ["period", "status", "min_delta", "c_q", "c_sort", "c_dir"];
  const query = new URLSearchParams();
  for (const key of keep) {
    const value = first(params[key]);
    if (value) query.set(key, value);
  }
  return `/console/reconciliation/export?${query.toString()}`;
}
