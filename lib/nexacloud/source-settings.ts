import { openSecret, sealSecret } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { redactDsn } from "./source-database";

export const DEFAULT_SERVICE_CODE = "nexacloud";

export interface SourceSettings {
  /** The DSN in force: NEXACLOUD_DATABASE_URL when set, else the stored (decrypted) one. */
  dsn: string | null;
  dsnOrigin: "env" | "settings" | null;
  /** Password hidden, for display. */
  dsnDisplay: string | null;
  /** Set when a stored DSN exists but cannot be decrypted with the current key. */
  dsnError: string | null;
  service: { id: string; code: string; name: string; mode: "shadow" | "live" } | null;
  toleranceCents: bigint;
  tolerancePercent: string;
}

export async function loadSourceSettings(client: Db): Promise<SourceSettings> {
  const row = await client.nexaCloudSource.findUnique({ where: { id: 1 } });
  const select = { id: true, code: true, name: true, mode: true } as const;
  const service = row?.serviceId
    ? await client.service.findUnique({ where: { id: row.serviceId }, select })
    : await client.service.findUnique({ where: { code: DEFAULT_SERVICE_CODE }, select });
  let dsn: string | null = null;
  let dsnOrigin: SourceSettings["dsnOrigin"] = null;
  let dsnError: string | null = null;
  if (process.env.NEXACLOUD_DATABASE_URL) {
    dsn = process.env.NEXACLOUD_DATABASE_URL;
    dsnOrigin = "env";
  } else if (row?.dsnEncrypted) {
    try {
      dsn = openSecret(row.dsnEncrypted);
      dsnOrigin = "settings";
    } catch (error) {
      dsnError = (error as Error).message;
    }
  }
  return {
    dsn,
    dsnOrigin,
    dsnDisplay: dsn ? redactDsn(dsn) : null,
    dsnError,
    service,
    toleranceCents: row?.toleranceCents ?? BigInt(1),
    tolerancePercent: row ? row.tolerancePercent.toString() : "0",
  };
}

export interface SourceSettingsInput {
  /** A new DSN; undefined keeps the stored one, "" clears it. */
  dsn?: string;
  serviceId: string;
  toleranceCents: bigint;
  tolerancePercent: string;
}

export async function saveSourceSettings(client: Db, input: SourceSettingsInput): Promise<void> {
  const service = await client.service.findUnique({ where: { id: input.serviceId } });
  if (!service) throw new DomainError("not_found", "service_not_found", { service_id: ["not_found"] }, "Choose a service.");
  if (service.mode !== "shadow") {
    throw new DomainError("invalid", "validation_errors", { service_id: ["service_not_shadow"] }, "Imports go into a shadow service only.");
  }
  if (input.dsn) {
    let url: URL | null = null;
    try {
      url = new URL(input.dsn);
    } catch {
      url = null;
    }
    if (!url || !/^postgres(ql)?:$/.test(url.protocol)) {
      throw new DomainError("invalid", "validation_errors", { dsn: ["invalid_dsn"] }, "Enter a postgresql:// URL.");
    }
  }
  const dsnEncrypted = input.dsn === undefined ? undefined : input.dsn === "" ? null : sealSecret(input.dsn);
  const data = {
    serviceId: service.id,
    toleranceCents: input.toleranceCents,
    tolerancePercent: new Prisma.Decimal(input.tolerancePercent),
    ...(dsnEncrypted !== undefined ? { dsnEncrypted } : {}),
  };
  await client.nexaCloudSource.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
}
