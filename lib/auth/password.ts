import bcrypt from "bcryptjs";

const COST = 12;
let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

/**
 * Verifies a password against a stored hash. With no hash (unknown user) it still does a full bcrypt comparison so an
 * attacker cannot tell unknown e-mails from wrong passwords by the response time.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) {
    dummyHash ??= bcrypt.hash("nexa-timing-equaliser", COST);
    await bcrypt.compare(password, await dummyHash);
    return false;
  }
  return bcrypt.compare(password, hash);
}
