"use client";

import Link from "next/link";
import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { formatCount, formatDateTime } from "@/lib/format";
import { ConfirmAction } from "@/components/forms/confirm-action";
import { FormMessage } from "@/components/forms/form-fields";

export interface MergeCandidateView {
  id: string;
  legalName: string;
  email: string | null;
  taxIdentificationNumber: string | null;
  currency: string;
  reasons: string[];
  accountLinks: number;
  subscriptions: number;
  invoices: number;
  createdAt: string;
}

/** The likely duplicates of a customer, each with a merge into it; the outcome stays shown once the duplicate is gone. */
export function MergeCandidates({ customerName, candidates, mergeAction }: {
  customerName: string;
  candidates: MergeCandidateView[];
  mergeAction: (state: FormState, formData: FormData) => Promise<FormState>;
}) {
  const [state, merge, merging] = useActionState(mergeAction, IDLE_FORM as FormState);
  return (
    <div className="space-y-3">
      <FormMessage state={state} />
      {candidates.length === 0 ? <p className="text-sm text-slate-500">No other customer shares this e-mail or tax number.</p> : (
        <ul className="space-y-3" aria-label="Merge candidates">
          {candidates.map((other) => (
            <li key={other.id} aria-label={other.legalName}
              className="flex flex-wrap items-start justify-between gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm">
              <div>
                <Link href={`/console/customers/${other.id}`} className="font-medium hover:underline">{other.legalName}</Link>
                <p className="text-slate-600">
                  {other.email ?? "no e-mail"} · {other.taxIdentificationNumber ?? "no tax number"} · {other.currency} · {other.reasons.join(", ")}
                </p>
                <p className="text-slate-500">
                  {formatCount(other.accountLinks, "account link")} · {formatCount(other.subscriptions, "subscription")} ·{" "}
                  {formatCount(other.invoices, "invoice")} · since {formatDateTime(other.createdAt)}
                </p>
              </div>
              <ConfirmAction label="Merge into this customer" action={merge} pending={merging} fields={{ source_customer_id: other.id }}
                confirmLabel="Yes, merge"
                question={<>Move everything of <strong>{other.legalName}</strong> to <strong>{customerName}</strong> and remove it? This cannot be undone here.</>} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
