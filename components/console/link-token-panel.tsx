"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import type { RevealedSecret } from "@/lib/console/forms/service-forms";
import { FormMessage, SubmitButton } from "@/components/forms/form-fields";
import { RevealedSecretNotice } from "./service-credentials";

type Action = (state: FormState<RevealedSecret>, formData: FormData) => Promise<FormState<RevealedSecret>>;

/** Issues a link token: what another app sends with billing_customer_id to bill this same customer. */
export function LinkTokenPanel({ issueAction }: { issueAction: Action }) {
  const [issued, issue] = useActionState(issueAction, IDLE_FORM as FormState<RevealedSecret>);
  return (
    <form action={issue} className="space-y-3">
      <p className="text-sm text-slate-600">
        Another app links its own account to this customer by sending <code>billing_customer_id</code> with a link token on
        <code> POST /customers</code>. A token works once, within 30 minutes.
      </p>
      <FormMessage state={issued} />
      {issued.status === "saved" && issued.result ? <RevealedSecretNotice revealed={issued.result} /> : null}
      <SubmitButton pendingLabel="Issuing…">Issue link token</SubmitButton>
    </form>
  );
}
