import { z } from "zod";
import { checkbox, decimalText, uuid, wholeNumber } from "./form-schemas";

/** The importer's settings. An empty DSN keeps the stored one; `clear_dsn` removes it. */
export const sourceSettingsForm = z.object({
  dsn: z.string().trim().max(2000, "value_is_too_long").optional().transform((v) => v || undefined),
  clear_dsn: checkbox,
  service_id: uuid,
  tolerance_cents: wholeNumber("value_is_invalid").transform((n) => BigInt(n)),
  tolerance_percent: decimalText("value_is_invalid").refine((v) => Number(v) <= 100, "value_is_out_of_range"),
});

export const reconciliationRunForm = z.object({
  period: z.string().trim().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "invalid_period"),
});
