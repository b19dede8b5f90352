/** How the portal names an invoice's state for the customer. */
export const INVOICE_STATUS_LABEL: Record<string, { label: string; style: string }> = {
  finalized: { label: "Open", style: "bg-sky-100 text-sky-800" },
  paid: { label: "Paid", style: "bg-emerald-100 text-emerald-800" },
  voided: { label: "Void", style: "bg-slate-100 text-slate-600" },
};
