import { createHash } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db/prisma";
import { invalidField } from "@/lib/errors";
import { companyProfile, type CompanyProfileValues } from "@/lib/invoicing/company-profile";
import { requiredText, textOrNull, wholeNumber } from "@/lib/console/forms/form-schemas";
import { formatAccountOverrides, parseAccountOverrides } from "@/lib/reports/journal";

const PROVINCES = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"] as const;
export const MAX_LOGO_BYTES = 512 * 1024;

/**
 * The company profile as the settings form sends it. Registration numbers follow the CRA and Revenu Québec formats
 * (a 9-digit business number + RT + 4 digits; 10 digits + TQ + 4 digits), written with or without the space.
 */
export const companyProfileForm = z.object({
  legal_name: requiredText(200),
  address_line1: textOrNull(200),
  address_line2: textOrNull(200),
  city: textOrNull(100),
  province: textOrNull(2).refine((v) => v === null || (PROVINCES as readonly string[]).includes(v.toUpperCase()), "Not a Canadian province or territory code (e.g. ON, QC).")
    .transform((v) => v?.toUpperCase() ?? null),
  postal_code: textOrNull(20),
  country: z.string().trim().regex(/^[A-Za-z]{2}$/, "not_a_valid_country_code").transform((v) => v.toUpperCase()),
  email: textOrNull(200).refine((v) => v === null || z.email().safeParse(v).success, "invalid_email_format"),
  gst_hst_number: textOrNull(30).transform((v) => v && v.toUpperCase().replace(/\s+/g, ""))
    .refine((v) => v === null || /^\d{9}RT\d{4}$/.test(v), "A GST/HST number is 9 digits, RT and 4 digits (e.g. 123456789 RT0001).")
    .transform((v) => v && `${v.slice(0, 9)} ${v.slice(9)}`),
  qst_number: textOrNull(30).transform((v) => v && v.toUpperCase().replace(/\s+/g, ""))
    .refine((v) => v === null || /^\d{10}TQ\d{4}$/.test(v), "A QST number is 10 digits, TQ and 4 digits (e.g. 1234567890 TQ0001).")
    .transform((v) => v && `${v.slice(0, 10)} ${v.slice(10)}`),
  bc_pst_number: textOrNull(30),
  mb_rst_number: textOrNull(30),
  sk_pst_number: textOrNull(30),
  default_payment_term_days: wholeNumber("value_is_out_of_range").refine((n) => n <= 365, "value_is_out_of_range"),
  invoice_grace_period_days: wholeNumber("value_is_out_of_range").refine((n) => n <= 60, "value_is_out_of_range"),
  overdue_reminder_days: z.string().max(100).optional()
    .refine((v) => v === undefined || parseReminderDays(v) !== null, "Days after the due date separated by commas (e.g. 1, 7, 14, 30), each from 1 to 365, at most 10.")
    .transform((v) => (v === undefined ? undefined : parseReminderDays(v)!)),
  invoice_footer: textOrNull(2000),
  journal_accounts: z.string().max(5000).optional().transform((v) => parseAccountOverrides(v ?? "")),
});
export type CompanyProfileInput = z.output<typeof companyProfileForm>;

/** "1, 7, 14, 30" → [1, 7, 14, 30] (sorted, each once); "" → none; null when a value is not a day from 1 to 365. */
export function parseReminderDays(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length > 10 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) < 1 || Number(p) > 365)) return null;
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

export function companyProfileDefaults(profile: CompanyProfileValues): Record<string, string> {
  return {
    legal_name: profile.id === 1 && profile.legalName.includes("not set") ? "" : profile.legalName,
    address_line1: profile.addressLine1 ?? "", address_line2: profile.addressLine2 ?? "", city: profile.city ?? "",
    province: profile.province ?? "", postal_code: profile.postalCode ?? "", country: profile.country, email: profile.email ?? "",
    gst_hst_number: profile.gstHstNumber ?? "", qst_number: profile.qstNumber ?? "", bc_pst_number: profile.bcPstNumber ?? "",
    mb_rst_number: profile.mbRstNumber ?? "", sk_pst_number: profile.skPstNumber ?? "",
    default_payment_term_days: String(profile.defaultPaymentTermDays), invoice_grace_period_days: String(profile.invoiceGracePeriodDays),
    overdue_reminder_days: profile.overdueReminderDays.join(", "),
    invoice_footer: profile.invoiceFooter ?? "",
    journal_accounts: formatAccountOverrides(profile.journalAccounts),
  };
}

/** PNG or JPEG, recognised by its signature (the declared type of an upload is not trusted). */
function imageType(bytes: Uint8Array): string | null {
  if (bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "image/png";
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  return null;
}

export type LogoChange = { kind: "keep" } | { kind: "remove" } | { kind: "replace"; bytes: Uint8Array };

/**
 * Saves the company profile. Documents already issued keep the seller they were issued with (their snapshot); logos
 * are stored once by content and never deleted, so those documents still find theirs.
 */
export async function updateCompanyProfile(client: Db, input: CompanyProfileInput, logo: LogoChange, actor: { staffId: string }) {
  let logoId: string | null | undefined;
  if (logo.kind === "remove") logoId = null;
  if (logo.kind === "replace") {
    if (logo.bytes.length > MAX_LOGO_BYTES) throw invalidField("logo", "value_is_too_long", "The logo must be at most 512 KB.");
    const contentType = imageType(logo.bytes);
    if (!contentType) throw invalidField("logo", "value_is_invalid", "The logo must be a PNG or JPEG image.");
    logoId = createHash("sha256").update(logo.bytes).digest("hex");
  }
  const fields = {
    legalName: input.legal_name, addressLine1: input.address_line1, addressLine2: input.address_line2, city: input.city,
    province: input.province, postalCode: input.postal_code, country: input.country, email: input.email,
    gstHstNumber: input.gst_hst_number, qstNumber: input.qst_number, bcPstNumber: input.bc_pst_number,
    mbRstNumber: input.mb_rst_number, skPstNumber: input.sk_pst_number, defaultPaymentTermDays: input.default_payment_term_days,
    invoiceGracePeriodDays: input.invoice_grace_period_days, invoiceFooter: input.invoice_footer, journalAccounts: input.journal_accounts,
    ...(input.overdue_reminder_days !== undefined ? { overdueReminderDays: input.overdue_reminder_days } : {}),
    ...(logoId !== undefined ? { logoId } : {}),
  };
  return client.$transaction(async (tx) => {
    const before = await companyProfile(tx);
    if (logo.kind === "replace" && logoId) {
      await tx.companyLogo.upsert({ where: { id: logoId }, update: {}, create: { id: logoId, contentType: imageType(logo.bytes)!, data: Buffer.from(logo.bytes) } });
    }
    const saved = await tx.companyProfile.upsert({ where: { id: 1 }, update: fields, create: { id: 1, ...fields } });
    const changed = Object.keys(fields).filter((key) => JSON.stringify(before[key as keyof typeof before]) !== JSON.stringify(saved[key as keyof typeof saved]));
    await tx.auditLog.create({
      data: { actorType: "staff", actorId: actor.staffId, action: "company_profile.updated", entityType: "CompanyProfile", entityId: "1", data: { changed } },
    });
    return saved;
  });
}
