"use client";

import { useActionState, useId, useLayoutEffect, useRef, useState, type SelectHTMLAttributes } from "react";
import {
  CHARGE_MODEL_LABELS,
  CHARGE_MODELS,
  emptyChargeDraft,
  openTier,
  tierLowerBounds,
  type ChargeDraft,
  type ChargeModelName,
  type TierDraft,
} from "@/lib/console/forms/charge-draft";
import type { MetricOption } from "@/lib/console/catalog-directory";
import { IDLE_FORM, type FieldErrors, type FormState, type FormValues } from "@/lib/console/forms/form-state";
import type { SavedPlan } from "@/lib/console/forms/plan-form";
import { CheckboxField, FieldErrors as FieldErrorText, FormMessage, inputClass, SelectField, SubmitButton, TextField } from "@/components/forms/form-fields";
import { CatalogIdentityFields } from "./catalog-identity-fields";

const INTERVAL_OPTIONS = [
  { value: "monthly", label: "Monthly" },
  { value: "weekly", label: "Weekly" },
  { value: "quarterly", label: "Quarterly" },
  { value: "semiannual", label: "Every six months" },
  { value: "yearly", label: "Yearly" },
];

const TIERED = new Set<ChargeModelName>(["graduated", "volume"]);

/**
 * A controlled select that survives the form reset React does after every action: the reset puts each select back on
 * its default option, which for a controlled select is the first one — the page then showed "Choose a metric…" while
 * the charges' JSON still held the chosen metric. Marking the current option as the default makes the reset a no-op.
 */
function DraftSelect({ value, ...props }: SelectHTMLAttributes<HTMLSelectElement> & { value: string }) {
  const ref = useRef<HTMLSelectElement>(null);
  useLayoutEffect(() => {
    for (const option of ref.current?.options ?? []) option.defaultSelected = option.value === value;
  }, [value]);
  return <select ref={ref} value={value} {...props} />;
}

/** A controlled input of a charge draft: its messages are looked up by the dotted name the action reports. */
function DraftInput({ label, value, onChange, errors, hint, placeholder, className }: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors?: string[];
  hint?: string;
  placeholder?: string;
  className?: string;
}) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">{label}</label>
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} inputMode="decimal"
        aria-invalid={Boolean(errors?.length)} aria-describedby={errors?.length ? `${id}-error` : undefined} className={inputClass} />
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
      <FieldErrorText id={`${id}-error`} messages={errors} />
    </div>
  );
}

function TiersEditor({ tiers, onChange, errorsAt, chargeLabel }: {
  tiers: TierDraft[];
  onChange: (tiers: TierDraft[]) => void;
  errorsAt: (suffix: string) => string[] | undefined;
  chargeLabel: string;
}) {
  const baseId = useId();
  const lower = tierLowerBounds(tiers);
  const setTier = (index: number, change: Partial<TierDraft>) => onChange(tiers.map((t, i) => (i === index ? { ...t, ...change } : t)));
  const removeTier = (index: number) => {
    const next = tiers.filter((_, i) => i !== index);
    // The last tier is always open.
    onChange(next.map((t, i) => (i === next.length - 1 ? { ...t, to_value: "" } : t)));
  };
  const listErrors = ["tiers", "graduated_ranges", "volume_ranges", "per_unit_amount", "flat_amount"].flatMap((key) => errorsAt(`properties.${key}`) ?? []);
  return (
    <div className="space-y-2">
      <table className="min-w-full text-sm">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-1 pr-3 font-medium">Tier</th>
            <th className="py-1 pr-3 font-medium">From</th>
            <th className="py-1 pr-3 font-medium">Up to</th>
            <th className="py-1 pr-3 font-medium">Per unit</th>
            <th className="py-1 pr-3 font-medium">Flat fee</th>
            <th className="py-1" />
          </tr>
        </thead>
        <tbody>
          {tiers.map((tier, index) => {
            const last = index === tiers.length - 1;
            const at = (field: string) => errorsAt(`properties.tiers.${index}.${field}`);
            const cellInput = (field: keyof TierDraft, label: string) => {
              const errorId = `${baseId}-${index}-${field}`;
              return (
                <td className="py-1 pr-3 align-top">
                  <input aria-label={`${chargeLabel} tier ${index + 1} ${label}`} value={tier[field]} inputMode="decimal"
                    onChange={(e) => setTier(index, { [field]: e.target.value })} aria-invalid={Boolean(at(field)?.length)}
                    aria-describedby={at(field)?.length ? errorId : undefined} className={`${inputClass} mt-0 w-28`} />
                  <FieldErrorText id={errorId} messages={at(field)} />
                </td>
              );
            };
            return (
              <tr key={index}>
                <td className="py-1 pr-3 align-top text-slate-500">{index + 1}</td>
                <td className="py-1 pr-3 align-top">{lower[index] ?? "…"}</td>
                {last ? <td className="py-1 pr-3 align-top text-slate-500">and above</td> : cellInput("to_value", "up to")}
                {cellInput("per_unit_amount", "per unit")}
                {cellInput("flat_amount", "flat fee")}
                <td className="py-1 align-top">
                  {tiers.length > 1 ? (
                    <button type="button" onClick={() => removeTier(index)} className="text-sm text-slate-500 hover:text-red-700"
                      aria-label={`Remove ${chargeLabel.toLowerCase()} tier ${index + 1}`}>Remove</button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <FieldErrorText id={`${baseId}-tiers`} messages={listErrors.length ? listErrors : undefined} />
      <button type="button" onClick={() => onChange([...tiers, openTier()])} className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
        Add tier
      </button>
    </div>
  );
}

function ChargeEditor({ index, charge, metrics, onChange, onRemove, errors }: {
  index: number;
  charge: ChargeDraft;
  metrics: MetricOption[];
  onChange: (charge: ChargeDraft) => void;
  onRemove: () => void;
  errors: FieldErrors;
}) {
  const label = `Charge ${index + 1}`;
  const errorsAt = (suffix: string) => errors[`charges.${index}.${suffix}`];
  const setProperty = (key: keyof ChargeDraft["properties"], value: string) => onChange({ ...charge, properties: { ...charge.properties, [key]: value } });
  const prop = (key: "amount" | "package_size" | "free_units" | "rate" | "fixed_amount", text: string, hint?: string) => (
    <DraftInput label={text} value={charge.properties[key]} onChange={(v) => setProperty(key, v)} errors={errorsAt(`properties.${key}`)} hint={hint} />
  );
  // Messages about the charge as a whole (its code, its id) have no input of their own.
  const shown = ["billable_metric_id", "charge_model", "included_quantity"].map((f) => `charges.${index}.${f}`);
  const general = Object.entries(errors)
    .filter(([key]) => (key === `charges.${index}` || key.startsWith(`charges.${index}.`)) && !key.includes(".properties") && !shown.includes(key))
    .flatMap(([, messages]) => messages);
  const baseId = useId();
  const metricId = `${baseId}-metric`;
  const modelId = `${baseId}-model`;
  return (
    <fieldset aria-label={label} className="space-y-3 rounded-md border border-slate-200 p-3">
      <div className="flex items-center justify-between">
        <legend className="text-sm font-semibold">{label}</legend>
        <button type="button" onClick={onRemove} className="text-sm text-slate-500 hover:text-red-700">Remove charge</button>
      </div>
      <FieldErrorText id={`${baseId}-general`} messages={general.length ? general : undefined} />
      <div className="grid gap-3 sm:grid-cols-3">
        <div>
          <label htmlFor={metricId} className="block text-sm font-medium">Metric</label>
          <DraftSelect id={metricId} value={charge.billable_metric_id} onChange={(e) => onChange({ ...charge, billable_metric_id: e.target.value })}
            aria-invalid={Boolean(errorsAt("billable_metric_id")?.length)} className={inputClass}>
            <option value="">Choose a metric…</option>
            {metrics.map((m) => <option key={m.id} value={m.id}>{m.name} ({m.code})</option>)}
          </DraftSelect>
          <FieldErrorText id={`${metricId}-error`} messages={errorsAt("billable_metric_id")} />
        </div>
        <div>
          <label htmlFor={modelId} className="block text-sm font-medium">Charge model</label>
          <DraftSelect id={modelId} value={charge.charge_model} onChange={(e) => onChange({ ...charge, charge_model: e.target.value as ChargeModelName })}
            aria-invalid={Boolean(errorsAt("charge_model")?.length)} className={inputClass}>
            {CHARGE_MODELS.map((m) => <option key={m} value={m}>{CHARGE_MODEL_LABELS[m]}</option>)}
          </DraftSelect>
          <FieldErrorText id={`${modelId}-error`} messages={errorsAt("charge_model")} />
        </div>
        <DraftInput label="Included quantity" value={charge.included_quantity} onChange={(v) => onChange({ ...charge, included_quantity: v })}
          errors={errorsAt("included_quantity")} hint="Units in the plan before any is billed." />
      </div>
      {charge.charge_model === "standard" ? <div className="grid gap-3 sm:grid-cols-3">{prop("amount", "Price per unit", "In dollars, as many decimals as needed.")}</div> : null}
      {charge.charge_model === "package" ? (
        <div className="grid gap-3 sm:grid-cols-3">
          {prop("amount", "Price per package")}
          {prop("package_size", "Package size", "Units per package.")}
          {prop("free_units", "Free units")}
        </div>
      ) : null}
      {charge.charge_model === "percentage" ? (
        <div className="grid gap-3 sm:grid-cols-3">
          {prop("rate", "Rate (%)", "2.5 is 2.5 % of the amount.")}
          {prop("fixed_amount", "Fixed fee per event", "Optional.")}
        </div>
      ) : null}
      {TIERED.has(charge.charge_model) ? (
        <TiersEditor tiers={charge.properties.tiers} chargeLabel={label} errorsAt={errorsAt}
          onChange={(tiers) => onChange({ ...charge, properties: { ...charge.properties, tiers } })} />
      ) : null}
    </fieldset>
  );
}

/**
 * Creates or edits a plan and its charges. Plan fields are ordinary inputs; the charges are edited as rows here and sent
 * as one JSON input. `locked` (the plan has subscriptions): code, interval, currency and timing no longer change.
 */
export function PlanForm({ action, defaults = {}, initialCharges = [], metrics, submitLabel, locked = false }: {
  action: (state: FormState<SavedPlan>, formData: FormData) => Promise<FormState<SavedPlan>>;
  defaults?: FormValues;
  initialCharges?: ChargeDraft[];
  metrics: MetricOption[];
  submitLabel: string;
  locked?: boolean;
}) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState<SavedPlan>);
  const [charges, setCharges] = useState(initialCharges);
  // Messages name charges by position: once rows are added or removed they would point at the wrong ones.
  const [reshaped, setReshaped] = useState(false);
  const [answered, setAnswered] = useState(state);
  if (state !== answered) {
    setAnswered(state);
    setReshaped(false);
    if (state.status === "saved" && state.result) setCharges(state.result.charges);
  }
  const chargeErrors = reshaped ? {} : state.fieldErrors;
  const reshape = (next: ChargeDraft[]) => {
    setCharges(next);
    setReshaped(true);
  };
  const planDefaults: FormValues = { interval: "monthly", currency: "CAD", amount: "0", ...defaults };

  return (
    <form action={formAction} className="space-y-5" noValidate>
      <FormMessage state={state} />
      {locked ? (
        <p className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
          This plan has subscriptions: its code, interval, currency and billing timing no longer change.
        </p>
      ) : null}
      <CatalogIdentityFields state={state} defaults={planDefaults} locked={locked} codeHint="Shared with the apps for entitlements." />
      <div className="grid gap-4 sm:grid-cols-3">
        {locked ? (
          <TextField label="Interval" name="interval" state={state} defaults={planDefaults} readOnly />
        ) : (
          <SelectField label="Interval" name="interval" state={state} defaults={planDefaults} options={INTERVAL_OPTIONS} />
        )}
        <TextField label="Base amount" name="amount" state={state} defaults={planDefaults} hint="In dollars per interval, e.g. 49.99." />
        <TextField label="Currency" name="currency" state={state} defaults={planDefaults} readOnly={locked} />
      </div>
      {locked ? (
        <>
          {planDefaults.pay_in_advance === "on" ? <input type="hidden" name="pay_in_advance" value="on" /> : null}
          <p className="text-sm text-slate-600">Base fee billed {planDefaults.pay_in_advance === "on" ? "in advance" : "in arrears"}.</p>
        </>
      ) : (
        <CheckboxField label="Bill the base fee in advance (at the start of each period)" name="pay_in_advance" state={state} defaults={planDefaults} />
      )}

      <div className="space-y-3">
        <h3 className="text-base font-semibold">Usage charges</h3>
        {charges.length === 0 ? <p className="text-sm text-slate-500">No usage charges: the plan bills its base fee only.</p> : null}
        {charges.map((charge, index) => (
          <ChargeEditor key={index} index={index} charge={charge} metrics={metrics} errors={chargeErrors}
            onChange={(next) => {
              const update = next.properties.tiers.length === charge.properties.tiers.length ? setCharges : reshape;
              update(charges.map((c, i) => (i === index ? next : c)));
            }}
            onRemove={() => reshape(charges.filter((_, i) => i !== index))} />
        ))}
        <input type="hidden" name="charges" value={JSON.stringify(charges)} />
        <button type="button" onClick={() => reshape([...charges, emptyChargeDraft()])}
          className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50" disabled={metrics.length === 0}>
          Add charge
        </button>
        {metrics.length === 0 ? <p className="text-sm text-slate-500">Create a metric first to price usage.</p> : null}
      </div>
      <SubmitButton>{submitLabel}</SubmitButton>
    </form>
  );
}
