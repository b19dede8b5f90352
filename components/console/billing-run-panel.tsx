"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { runBillingNowAction } from "@/app/console/invoices/actions";

export interface BillingRunView {
  id: string;
  status: string;
  subscriptionsDue: number;
  subscriptionsBilled: number;
  invoicesCreated: number;
  failures: number;
  errors: { error?: string; code?: string; customerId?: string }[];
  createdAt: string;
}

/** "Run billing now" and the latest run's progress, refreshed while it is queued or running. */
export function BillingRunPanel({ latest }: { latest: BillingRunView | null }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const active = latest && (latest.status === "queued" || latest.status === "running");

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), 1000);
    return () => clearInterval(timer);
  }, [active, router]);

  return (
    <section aria-label="Billing run" className="flex items-center justify-between gap-4 rounded-lg border border-slate-200 bg-white px-4 py-3">
      <div className="text-sm" aria-live="polite">
        {latest ? (
          <span>
            Last run: <strong data-testid="billing-run-status">{latest.status.replace(/_/g, " ")}</strong> · {latest.subscriptionsBilled}
            {latest.subscriptionsDue ? ` of ${latest.subscriptionsDue}` : ""} subscriptions billed · {latest.invoicesCreated} invoices
            {latest.failures ? ` · ${latest.failures} set aside (see below): ${latest.errors.map((e) => e.error).filter(Boolean).slice(0, 2).join("; ")}` : ""}
          </span>
        ) : (
          <span className="text-slate-500">No billing run yet.</span>
        )}
        {message ? <span className="ml-2 text-slate-500">{message}</span> : null}
      </div>
      <button
        type="button"
        disabled={pending || Boolean(active)}
        onClick={() =>
          startTransition(async () => {
            const result = await runBillingNowAction();
            setMessage(result.message);
            router.refresh();
          })
        }
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-50"
      >
        {active ? "Billing…" : "Run billing now"}
      </button>
    </section>
  );
}
