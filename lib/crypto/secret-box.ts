import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Secrets kept in the database (e.g. a source database's DSN) are sealed with AES-256-GCM. The key is NEXA_ENCRYPTION_KEY
 * (64 hex characters, or any string, stretched with HKDF) or else derived with HKDF from NEXTAUTH_SECRET, so a database
 * dump alone never reveals them. Format: `v1:<iv>:<tag>:<ciphertext>`, base64url parts.
 */
const VERSION = "v1";

function encryptionKey(): Buffer {
  const explicit = process.env.NEXA_ENCRYPTION_KEY;
  if (explicit && /^[0-9a-f]{64}$/i.test(explicit)) return Buffer.from(explicit, "hex");
  const material = explicit || process.env.NEXTAUTH_SECRET;
  if (!material) throw new Error("Set NEXA_ENCRYPTION_KEY or NEXTAUTH_SECRET to store encrypted settings.");
  return Buffer.from(hkdfSync("sha256", material, "nexa-billing", "secret-box v1", 32));
}

export function sealSecret(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey(), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(":");
}

export class SecretUnreadableError extends Error {
  constructor() {
    super("The stored secret cannot be decrypted with the current key (was NEXA_ENCRYPTION_KEY or NEXTAUTH_SECRET changed?).");
    this.name = "SecretUnreadableError";
  }
}

export function openSecret(sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(":");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new SecretUnreadableError();
  try {
    const decipher = createDecipheriv("aes-256-gcm", encryptionKey(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretUnreadableError();
  }
}
