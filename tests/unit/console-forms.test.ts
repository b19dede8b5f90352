import { describe, expect, it } from "vitest";
import { z } from "zod";
import { validateChargeProperties } from "@/lib/billing/charge-models";
import { emptyChargeDraft, tierLowerBounds, type ChargeDraft } from "@/lib/console/forms/charge-draft";
import { customerForm } from "@/lib/console/forms/customer-form";
import { domainFieldErrors, refusedForm, zodFieldErrors } from "@/lib/console/forms/field-messages";
import { formValues } from "@/lib/console/forms/form-state";
import { metricForm } from "@/lib/console/forms/metric-form";
import { planForm } from "@/lib/console/forms/plan-form";
import { issueApiKeyForm, webhookEndpointForm } from "@/lib/console/forms/service-forms";
import { DomainError, invalidField } from "@/lib/errors";

const METRIC_ID = "6f1c1b2e-7d1a-4c3e-9a51-0b7e3d9f2a10";

function fieldErrorsOf(schema: z.ZodType, values: Record<string, string>) {
  const parsed = schema.safeParse(values);
  expect(parsed.success).toBe(false);
  return zodFieldErrors((parsed as { error: z.ZodError }).error);
}

function graduated(tiers: ChargeDraft["properties"]["tiers"]): ChargeDraft {
  const draft = emptyChargeDraft(METRIC_ID);
  return { ...draft, charge_model: "graduated", properties: { ...draft.properties, tiers } };
}

const plan = (fields: Record<string, string>, charges: ChargeDraft[] = []) => ({
  code: "pro", name: "Pro", description: "", interval: "monthly", amount: "49.99", currency: "", charges: JSON.stringify(charges), ...fields,
});

describe("plan form", () => {
  it("reads the base amount as exact cents, CAD by default, and charges with their model's properties only", () => {
    const standard = { ...emptyChargeDraft(METRIC_ID), included_quantity: "", properties: { ...emptyChargeDraft().properties, amount: "0.0005", rate: "ignored" } };
    const input = planForm.parse(plan({ pay_in_advance: "on" }, [standard]));
    expect(input).toMatchObject({ code: "pro", amountCents: 4999n, currency: "CAD", payInAdvance: true, description: null });
    expect(input.charges).toEqual([{ id: undefined, billableMetricId: METRIC_ID, chargeModel: "standard", includedQuantity: "0", properties: { amount: "0.0005" } }]);
  });

  it("refuses a base amount with more than two decimals on its field", () => {
    expect(fieldErrorsOf(planForm, plan({ amount: "10.999" }))).toEqual({ amount: ["At most two decimals (whole cents)."] });
    expect(fieldErrorsOf(planForm, plan({ amount: "ten" }))).toEqual({ amount: ["Enter an amount such as 10 or 0.25."] });
  });

  it("turns tier rows into contiguous Lago ranges that the charge model accepts", () => {
    const draft = graduated([
      { to_value: "1000", per_unit_amount: "0.01", flat_amount: "" },
      { to_value: "5000", per_unit_amount: "0.008", flat_amount: "2" },
      { to_value: "", per_unit_amount: "0.005", flat_amount: "0" },
    ]);
    const [charge] = planForm.parse(plan({}, [draft])).charges!;
    const ranges = [
      { from_value: 0, to_value: 1000, per_unit_amount: "0.01", flat_amount: "0" },
      { from_value: 1001, to_value: 5000, per_unit_amount: "0.008", flat_amount: "2" },
      { from_value: 5001, to_value: null, per_unit_amount: "0.005", flat_amount: "0" },
    ];
    expect(charge.properties).toEqual({ graduated_ranges: ranges });
    expect(validateChargeProperties("graduated", charge.properties).valid).toBe(true);
    expect(tierLowerBounds(draft.properties.tiers)).toEqual([0, 1001, 5001]);
  });

  it("names the tier and input at fault", () => {
    const errors = fieldErrorsOf(planForm, plan({}, [graduated([
      { to_value: "", per_unit_amount: "0.01", flat_amount: "0" },
      { to_value: "9", per_unit_amount: "-1", flat_amount: "0" },
    ])]));
    expect(errors).toEqual({
      "charges.0.properties.tiers.0.to_value": ["A whole number above 0."],
      "charges.0.properties.tiers.1.per_unit_amount": ["Enter an amount such as 10 or 0.25."],
    });
    const lastBounded = fieldErrorsOf(planForm, plan({}, [graduated([{ to_value: "10", per_unit_amount: "1", flat_amount: "0" }])]));
    expect(lastBounded).toEqual({ "charges.0.properties.tiers.0.to_value": ["The last tier is open: leave “up to” empty."] });
  });

  it("checks package and percentage inputs and asks for a metric", () => {
    const base = emptyChargeDraft();
    const packaged: ChargeDraft = { ...base, billable_metric_id: METRIC_ID, charge_model: "package", properties: { ...base.properties, amount: "5", package_size: "0", free_units: "x" } };
    const percentage: ChargeDraft = { ...base, charge_model: "percentage", properties: { ...base.properties, rate: "2.5", fixed_amount: "" } };
    expect(fieldErrorsOf(planForm, plan({}, [packaged, percentage]))).toEqual({
      "charges.0.properties.package_size": ["A whole number of units, 1 or more."],
      "charges.0.properties.free_units": ["A whole number of units, 0 or more."],
      "charges.1.billable_metric_id": ["Choose a metric."],
    });
    const fixed = planForm.parse(plan({}, [{ ...percentage, billable_metric_id: METRIC_ID }]));
    expect(fixed.charges![0].properties).toEqual({ rate: "2.5", fixed_amount: undefined });
  });

  it("reports unreadable charges on the form", () => {
    expect(fieldErrorsOf(planForm, plan({ charges: "{" }))).toEqual({ charges: ["The charges could not be read: reload the page."] });
  });
});

describe("metric form", () => {
  it("maps inputs to the domain's metric (empty becomes null, a checkbox is on or absent)", () => {
    expect(metricForm.parse({ name: " Seats ", code: "seats", description: "", aggregation: "unique_count", field_name: "user_id", recurring: "on" })).toEqual({
      name: "Seats", code: "seats", description: null, aggregation: "unique_count", fieldName: "user_id", recurring: true,
    });
    expect(fieldErrorsOf(metricForm, { name: "", code: "no spaces", aggregation: "median" })).toEqual({
      name: ["Required."], code: ["Not a valid value."], aggregation: ["Not a valid value."],
    });
  });
});

describe("customer and service forms", () => {
  it("checks the province against the country", () => {
    const values = { legal_name: "Acme", email: "", country: "CA", currency: "cad", timezone: "America/Toronto", province: "zz" };
    expect(fieldErrorsOf(customerForm, values)).toEqual({ province: ["Not a Canadian province or territory code (e.g. ON, QC)."] });
    expect(customerForm.parse({ ...values, province: "qc" })).toMatchObject({ province: "QC", currency: "CAD", email: null, taxExempt: false });
    expect(customerForm.parse({ ...values, country: "US", province: "NY" })).toMatchObject({ province: "NY", country: "US" });
  });

  it("reads a webhook endpoint (URL, name, ticked event types) and a key rotation", () => {
    expect(webhookEndpointForm.parse({ webhook_url: " https://app.example.com/hooks ", name: "", "event:invoice.created": "on", "event:customer.updated": "on" }))
      .toEqual({ webhook_url: "https://app.example.com/hooks", name: null, event_types: ["invoice.created", "customer.updated"] });
    expect(webhookEndpointForm.parse({ webhook_url: "https://app.example.com/hooks" })).toEqual({ webhook_url: "https://app.example.com/hooks", name: null, event_types: [] });
    expect(fieldErrorsOf(webhookEndpointForm, { webhook_url: "http://example.com" })).toEqual({ webhook_url: ["Use https:// (plain http only for this machine in development)."] });
    expect(fieldErrorsOf(webhookEndpointForm, { webhook_url: "" })).toEqual({ webhook_url: ["Required."] });
    expect(issueApiKeyForm.parse({})).toEqual({ name: "default", replaces_key_id: null });
    expect(issueApiKeyForm.parse({ replaces_key_id: METRIC_ID })).toEqual({ name: "default", replaces_key_id: METRIC_ID });
  });
});

describe("form state", () => {
  it("keeps the text inputs of a submission, without React's own entries", () => {
    const data = new FormData();
    data.set("name", "Pro");
    data.set("$ACTION_ID_abc", "");
    data.set("upload", new Blob(["x"]));
    expect(formValues(data)).toEqual({ name: "Pro" });
  });

  it("words domain errors per field, preferring a field's own wording and the domain's message over generic codes", () => {
    expect(domainFieldErrors(invalidField("field_name", "value_is_mandatory"))).toEqual({ field_name: ["This aggregation needs a field name."] });
    expect(domainFieldErrors(invalidField("tax_exemption_number", "value_is_mandatory", "A tax-exempt customer needs an exemption number"))).toEqual({
      tax_exemption_number: ["A tax-exempt customer needs an exemption number."],
    });
    const charge = new DomainError("invalid", "validation_errors", { "charges.0.properties.amount": ["invalid_amount"] }, "Invalid charge properties");
    expect(domainFieldErrors(charge)).toEqual({ "charges.0.properties.amount": ["Enter an amount such as 10 or 0.25."] });
  });

  it("answers a domain error without fields with its message for the whole form", () => {
    const conflict = new DomainError("conflict", "currencies_does_not_match", { targetCurrency: "CAD", sourceCurrency: "USD" }, "Cannot merge: different currencies");
    expect(refusedForm({ a: "1" }, conflict)).toEqual({ status: "refused", message: "Cannot merge: different currencies.", fieldErrors: {}, values: { a: "1" } });
    expect(refusedForm({}, invalidField("code", "value_already_exist"))).toMatchObject({
      message: "Nothing was saved: check the fields marked below.",
      fieldErrors: { code: ["This code is already used: choose another."] },
    });
  });
});
