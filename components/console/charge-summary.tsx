import { storedChargeProperties, type PlanWithCharges } from "@/lib/catalog/plans";
import { CHARGE_MODEL_LABELS } from "@/lib/console/forms/charge-draft";
import { ALL_FILTER_VALUES, storedChargeFilters } from "@/lib/rating/charge-filters";

type Charge = PlanWithCharges["charges"][number];

/** A plan's charge as saved: metric, model and its prices, tiers as a table. Unit prices are decimals, not cents. */
export function ChargeSummary({ charge, currency }: { charge: Charge; currency: string }) {
  const p = storedChargeProperties(charge);
  const ranges = charge.chargeModel === "graduated" ? p.graduated_ranges : charge.chargeModel === "volume" ? p.volume_ranges : undefined;
  const included = charge.includedQuantity.toFixed();
  return (
    <section aria-label={`Charge ${charge.code}`} className="rounded-md border border-slate-200 p-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="font-medium">
          {charge.billableMetric.name} <code className="text-xs text-slate-500">{charge.billableMetric.code}</code>
        </h3>
        <span className="text-sm text-slate-600">
          {CHARGE_MODEL_LABELS[charge.chargeModel]}
          {included !== "0" ? ` · ${included} units included` : ""}
          {charge.payInAdvance ? " · paid in advance (invoiced on each event)" : ""}
        </span>
      </div>
      {charge.chargeModel === "standard" ? <p className="mt-1 text-sm">{p.amount} {currency} per unit</p> : null}
      {charge.chargeModel === "package" ? (
        <p className="mt-1 text-sm">{p.amount} {currency} per package of {p.package_size} units, first {p.free_units} units free</p>
      ) : null}
      {charge.chargeModel === "percentage" ? (
        <p className="mt-1 text-sm">{p.rate} %{p.fixed_amount ? ` plus ${p.fixed_amount} ${currency} per event` : ""}</p>
      ) : null}
      {storedChargeFilters(charge).length ? (
        <table className="mt-2 min-w-full text-sm" aria-label={`Filters of ${charge.code}`}>
          <caption className="text-left text-xs text-slate-500">Events matching a filter (the most specific first) are priced with its prices; the rest as above.</caption>
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="py-1 pr-4 font-medium">Filter</th>
              <th className="py-1 pr-4 font-medium">Events where</th>
              <th className="py-1 pr-4 font-medium">Prices</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {storedChargeFilters(charge).map((f, index) => (
              <tr key={index}>
                <td className="py-1 pr-4">{f.invoice_display_name ?? `Filter ${index + 1}`}</td>
                <td className="py-1 pr-4">{Object.entries(f.values).map(([key, values]) => `${key} is ${values.map((v) => (v === ALL_FILTER_VALUES ? "any value" : v)).join(" or ")}`).join(", and ")}</td>
                <td className="py-1 pr-4"><code className="text-xs">{JSON.stringify(f.properties)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {ranges ? (
        <table className="mt-2 min-w-full text-sm" aria-label={`Tiers of ${charge.code}`}>
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="py-1 pr-4 font-medium">From</th>
              <th className="py-1 pr-4 font-medium">Up to</th>
              <th className="py-1 pr-4 font-medium">Per unit ({currency})</th>
              <th className="py-1 pr-4 font-medium">Flat fee ({currency})</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {ranges.map((r) => (
              <tr key={r.from_value}>
                <td className="py-1 pr-4">{r.from_value}</td>
                <td className="py-1 pr-4">{r.to_value ?? "and above"}</td>
                <td className="py-1 pr-4">{r.per_unit_amount}</td>
                <td className="py-1 pr-4">{r.flat_amount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
