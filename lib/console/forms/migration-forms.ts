import { z } from "zod";
import { uuid } from "./form-schemas";

const reasonText = z.string().trim().max(2000, "value_is_too_long");

/** Promote to live: the boundary (a date, UTC midnight) and, only when readiness is not met, an admin's reason. */
export const promoteForm = z.object({
  service_id: uuid,
  boundary: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, "invalid_date").transform((d) => new Date(`${d}T00:00:00.000Z`)).refine((d) => !Number.isNaN(d.getTime()), "invalid_date"),
  override_reason: reasonText.optional().transform((v) => v || null),
});

export const revertPromotionForm = z.object({ service_id: uuid, reason: reasonText.min(1, "value_is_mandatory") });

export const dualRunSettingsForm = z.object({
  service_id: uuid,
  schedule_cron: z.string().trim().max(100, "value_is_too_long").optional().transform((v) => v || null),
  readiness_months: z.coerce.number({ error: "value_is_invalid" }).int("value_is_invalid").min(1, "value_is_out_of_range").max(12, "value_is_out_of_range"),
  drift_alert_mismatches: z.coerce.number({ error: "value_is_invalid" }).int("value_is_invalid").min(0, "value_is_out_of_range"),
  drift_alert_delta_cents: z.string().trim().regex(/^\d{1,12}$/, "value_is_invalid").transform((v) => BigInt(v)),
});

export const serviceOnlyForm = z.object({ service_id: uuid });
export const alertForm = z.object({ alert_id: uuid });

export const retireSourceForm = z.object({ service_id: uuid, reason: reasonText.optional().transform((v) => v || null) });

/** Starts a shadow service's migration from one of the sources (lib/migration/sources). */
export const startMigrationForm = z.object({ service_id: uuid, source_kind: z.string().trim().min(1, "value_is_mandatory").max(40, "value_is_too_long") });

/**
 * A source's connection: its fields by key (apiUrl and apiKey for Lago, dsn for NexaCloud; a secret left blank keeps
 * the stored value) and the reconciliation tolerance.
 */
export const sourceConnectionForm = z.object({
  service_id: uuid,
  apiUrl: z.string().trim().max(500, "value_is_too_long").optional(),
  apiKey: z.string().trim().max(500, "value_is_too_long").optional(),
  dsn: z.string().trim().max(2000, "value_is_too_long").optional(),
  tolerance_cents: z.string().trim().regex(/^\d{1,9}$/, "value_is_invalid").transform((v) => BigInt(v)),
  tolerance_percent: z.string().trim().regex(/^\d{1,3}(\.\d{1,4})?$/, "value_is_invalid"),
});

export const sourceImportForm = z.object({ service_id: uuid, dry_run: z.enum(["true", "false"]).transform((v) => v === "true") });
