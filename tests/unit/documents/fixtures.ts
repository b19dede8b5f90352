/** Billing documents for the PDF renderer tests: realistic Canadian invoices and credit notes. */
import type { BillingDocument, DocumentLine, DocumentParty } from "@/lib/documents/billing-document";

export const SELLER: DocumentParty = {
  legalName: "Nexa Cloud Services Inc.",
  addressLines: ["200 Bay Street, Suite 1400", "Toronto ON  M5J 2J2", "Canada"],
  email: "billing@nexa.example",
  registrations: [
    { label: "GST/HST", number: "123456789 RT0001" },
    { label: "QST", number: "1234567890 TQ0001" },
  ],
};

function line(description: string, quantity: string | null, unitAmount: string | null, amountCents: bigint, details: string[] = []): DocumentLine {
  return { description, quantity, unitAmount, amountCents, details };
}

/** (a) Ontario customer, HST 13 %, several lines. Subtotal $1,234.56 + HST $160.49 = $1,395.05. */
export function ontarioInvoice(): BillingDocument {
  return {
    kind: "invoice",
    number: "INV-2026-000123",
    status: "finalized",
    shadow: false,
    issuingDate: "2026-11-25",
    dueDate: "2026-12-25",
    periodStart: "2026-11-01",
    periodEnd: "2026-11-30",
    currency: "CAD",
    seller: SELLER,
    customer: {
      legalName: "Maple Leaf Analytics Ltd.",
      addressLines: ["55 Metcalfe Street", "Ottawa ON  K1P 6L5", "Canada"],
      email: "ap@mapleleaf.example",
      registrations: [{ label: "Tax number", number: "987654321 RT0001" }],
    },
    serviceName: "Nexa Compute",
    lines: [
      line("Business plan — monthly subscription", "1", "499", 49900n, ["Period Nov 1, 2026 – Nov 30, 2026"]),
      line("API requests", "1250000", "0.0004", 30000n, ["1,000,000 included", "Billed: 250,000 requests above the included quantity at $0.0004 each, rounded to the cent"]),
      line("Storage (GB-month)", "412.5", null, 37556n, ["First 100 GB-month at $1.00", "Next 312.5 GB-month at $0.8818"]),
      line("Onboarding fee", null, null, 18000n, ["One-time"]),
      line("Prorated seat adjustment", "3", "-18.00", -5400n, ["Period Nov 13, 2026 – Nov 30, 2026 (18 of 30 days)"]),
    ],
    subtotalCents: 123456n,
    taxes: [{ name: "HST", ratePercent: "13.000000", taxableAmountCents: 123456n, amountCents: 16049n, registrationNumber: "123456789 RT0001" }],
    taxNote: null,
    creditsAppliedCents: 0n,
    totalCents: 139505n,
    amountPaidCents: 0n,
    amountDueCents: 139505n,
    notes: ["Payment by EFT or cheque within 30 days. Thank you for your business."],
  };
}

/** (b) Québec customer, GST 5 % + QST 9.975 %, accented names. */
export function quebecInvoice(): BillingDocument {
  return {
    ...ontarioInvoice(),
    number: "INV-2026-000124",
    customer: {
      legalName: "Société de Génie Élégant du Québec Ltée",
      addressLines: ["1250, boul. René-Lévesque Ouest, bureau 3000", "Montréal QC  H3B 4W8", "Canada"],
      email: "comptabilité@genie-elegant.example",
      registrations: [
        { label: "Tax number", number: "111222333 RT0001" },
        { label: "Exemption number", number: "QC-EX-2026-0042" },
      ],
    },
    serviceName: "Nexa Données — hébergement géré",
    lines: [
      line("Hébergement géré — forfait « Célèbre »", "1", "1000", 100000n, ["Période : 1er novembre au 30 novembre 2026"]),
      line("Traitement des données (façade, crème brûlée, naïveté)", "200", "2.50", 50000n, ["Déjà payé : 0 $"]),
    ],
    subtotalCents: 150000n,
    taxes: [
      { name: "GST", ratePercent: "5", taxableAmountCents: 150000n, amountCents: 7500n, registrationNumber: "123456789 RT0001" },
      { name: "QST", ratePercent: "9.975", taxableAmountCents: 150000n, amountCents: 14963n, registrationNumber: "1234567890 TQ0001" },
    ],
    totalCents: 172463n,
    amountPaidCents: 0n,
    amountDueCents: 172463n,
    notes: ["Merci de votre confiance — François Bélanger, directeur des comptes."],
  };
}

/** (c) US customer, zero-rated, paid in USD, with credits applied and a partial payment. */
export function usInvoice(): BillingDocument {
  return {
    ...ontarioInvoice(),
    number: "INV-2026-000125",
    currency: "USD",
    customer: {
      legalName: "Acme Widgets LLC",
      addressLines: ["1201 Third Avenue", "Seattle WA 98101", "United States"],
      email: null,
      registrations: [],
    },
    lines: [
      line("Enterprise plan — annual subscription", "1", "24000", 2400000n, ["Period Dec 1, 2026 – Nov 30, 2027"]),
      line("Premium support", "12", "150", 180000n),
    ],
    subtotalCents: 2580000n,
    taxes: [],
    taxNote: "Zero-rated: customer outside Canada",
    creditsAppliedCents: 50000n,
    totalCents: 2530000n,
    amountPaidCents: 1000000n,
    amountDueCents: 1530000n,
    notes: [],
  };
}

/** (d) A credit note against the Ontario invoice. */
export function creditNote(): BillingDocument {
  return {
    ...ontarioInvoice(),
    kind: "credit_note",
    number: "CN-2026-000004",
    status: "issued",
    issuingDate: "2026-12-02",
    dueDate: null,
    relatedInvoiceNumber: "INV-2026-000123",
    reason: "Service outage on Nov 3, 2026 (4 h 12 min): service credit under the 99.9 % availability commitment.",
    lines: [line("Service credit — Business plan", "1", "100", 10000n, ["Outage of Nov 3, 2026"])],
    subtotalCents: 10000n,
    taxes: [{ name: "HST", ratePercent: "13", taxableAmountCents: 10000n, amountCents: 1300n, registrationNumber: "123456789 RT0001" }],
    totalCents: 11300n,
    amountPaidCents: 0n,
    amountDueCents: 0n,
    notes: ["The credit will be applied to your next invoice."],
  };
}

/** (e) A shadow draft: dual-run copy, never sent, not yet numbered. */
export function shadowDraft(): BillingDocument {
  return { ...ontarioInvoice(), number: null, status: "draft", shadow: true };
}

/** (f) 120 lines: must paginate with the header row repeated. */
export function longInvoice(count = 120): BillingDocument {
  const lines = Array.from({ length: count }, (_, index) =>
    line(
      `Usage line ${index + 1}: metered compute in region ca-central-${(index % 3) + 1}`,
      String(10 + index),
      "1.25",
      BigInt((10 + index) * 125),
      index % 4 === 0 ? [`Tier ${(index % 3) + 1}: ${10 + index} units at $1.25`] : [],
    ),
  );
  const subtotal = lines.reduce((sum, l) => sum + l.amountCents, 0n);
  const tax = (subtotal * 13n + 50n) / 100n;
  return {
    ...ontarioInvoice(),
    number: "INV-2026-000200",
    lines,
    subtotalCents: subtotal,
    taxes: [{ name: "HST", ratePercent: "13", taxableAmountCents: subtotal, amountCents: tax, registrationNumber: "123456789 RT0001" }],
    totalCents: subtotal + tax,
    amountDueCents: subtotal + tax,
  };
}

/** Everything too long: names, addresses, descriptions, detail lists, amounts and notes, plus characters WinAnsi lacks. */
export function stressInvoice(): BillingDocument {
  const long = "Very long description ".repeat(40).trim();
  return {
    ...ontarioInvoice(),
    number: "INV-2026-999999",
    status: "voided",
    currency: "EUR",
    seller: {
      ...SELLER,
      legalName: "Nexa Cloud Services Incorporated, operating as Nexa Billing Platform of Canada and the Territories",
      addressLines: ["200 Bay Street, Suite 1400, Royal Bank Plaza South Tower, Financial District", "Toronto ON  M5J 2J2"],
    },
    customer: {
      legalName: "Société Coopérative de Développement Économique Régional de l'Abitibi-Témiscamingue et du Nord-du-Québec",
      addressLines: ["Łódź office — “quoted” ≤ ≥ → ✓ 中文 emoji 😀", "Rouyn-Noranda QC  J9X 1A1"],
      email: "x".repeat(80) + "@example.com",
      registrations: [{ label: "Tax number", number: "123456789 RT0001" }],
    },
    serviceName: "A service with a remarkably long display name that must wrap inside the header column",
    lines: [
      line(long, "123456789012.123456", "98765432.0000001", 1234567890123456789n, ["detail"]),
      line("Tiered usage with a very long breakdown", "5000", null, 500000n, Array.from({ length: 90 }, (_, i) => `Tier ${i + 1}: ${i * 100 + 1}–${(i + 1) * 100} units at €0.${String(i).padStart(2, "0")}`)),
      line("x".repeat(30000), "1", "1", 100n),
      line("", null, null, 0n),
    ],
    subtotalCents: 1234567890123456789n,
    taxes: [],
    taxNote: null,
    creditsAppliedCents: -1n,
    totalCents: -1234567890123456789n,
    amountPaidCents: 0n,
    amountDueCents: 0n,
    notes: ["Short note.", "Long note. ".repeat(700)],
  };
}
