import type { Db } from "./prisma";

/** Round-trips to the database; false (never a throw) when it is unreachable or too slow. */
export async function databaseIsHealthy(client: Db, timeoutMs = 3000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const ping = client.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`.then((rows) => rows[0]?.ok === 1);
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
