import { AGGREGATIONS } from "@/lib/catalog/vocabulary";
import { z } from "zod";
import { catalogCode } from "@/lib/api/schemas/common";
import type { MetricInput } from "@/lib/catalog/billable-metrics";
import { checkbox, requiredText, textOrNull } from "./form-schemas";

export { AGGREGATIONS };

/** The metric form's inputs; the rules between them (field name, recurring) are the domain's, in billable-metrics.ts. */
export const metricForm = z
  .object({
    name: requiredText(),
    code: catalogCode,
    description: textOrNull(2000),
    aggregation: z.enum(AGGREGATIONS, { error: "value_is_invalid" }),
    field_name: textOrNull(),
    recurring: checkbox,
  })
  .transform(
    (form): MetricInput => ({
      name: form.name,
      code: form.code,
      description: form.description,
      aggregation: form.aggregation,
      fieldName: form.field_name,
      recurring: form.recurring,
    }),
  );
