import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/prisma";
import { refreshOngoingBalances } from "./ongoing-balance";
import { expireWallets } from "./wallets";

/**
 * The wallet job (pg-boss, every 5 minutes by default): terminates wallets whose expiration_at has come (their credits
 * voided by a transaction) and sends `wallet.depleted_ongoing_balance` for wallets the current usage has used up.
 */
export const WALLETS_QUEUE = "wallets";
export const WALLETS_CRON = process.env.NEXA_WALLETS_CRON ?? "*/5 * * * *";

export async function runWalletJob(client: Db, now = new Date()) {
  const expired = await expireWallets(client, now);
  const ongoing = await refreshOngoingBalances(client, now);
  return { expired, ...ongoing };
}

export async function startWalletJobs(boss: PgBoss, client: Db): Promise<void> {
  await boss.createQueue(WALLETS_QUEUE);
  await boss.schedule(WALLETS_QUEUE, WALLETS_CRON, {}, { tz: "UTC" });
  await boss.work(WALLETS_QUEUE, { batchSize: 1 }, async () => {
    await runWalletJob(client);
  });
}
