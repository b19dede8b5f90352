// The reference of bench/api-load: a bare node:http handler doing what POST /usage must do at the least — the same
// API-key lookup by prefix + SHA-256 comparison, then one INSERT of the record — against the same database, with a pool
// of the same size as the app's. Spawned as its own process (like the app), on BARE_PORT.
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });
const subscriptionId = process.env.BARE_SUBSCRIPTION_ID!;
const metricId = process.env.BARE_METRIC_ID!;

async function handle(req: http.IncomingMessage, body: string): Promise<[number, string]> {
  const token = req.headers.authorization?.split(" ")[1] ?? "";
  const { rows } = await pool.query<{ key_hash: string; service_id: string }>(
    `SELECT k."keyHash" AS key_hash, s.id AS service_id FROM "ApiKey" k JOIN "Service" s ON s.id = k."serviceId" WHERE k.prefix = $1 AND k."revokedAt" IS NULL`,
    [token.slice(0, 16)],
  );
  const presented = createHash("sha256").update(token).digest();
  if (!rows[0] || !timingSafeEqual(presented, Buffer.from(rows[0].key_hash, "hex"))) return [401, `{"status":401}`];
  const usage = (JSON.parse(body) as { usage: { timestamp: string; value: string; idempotency_key: string } }).usage;
  const id = randomUUID();
  await pool.query(
    `INSERT INTO "UsageRollup" ("id", "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value", "idempotencyKey")
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7) ON CONFLICT ("serviceId", "idempotencyKey") DO NOTHING`,
    [id, rows[0].service_id, subscriptionId, metricId, usage.timestamp, usage.value, usage.idempotency_key],
  );
  return [200, JSON.stringify({ usage: { lago_id: id, idempotency_key: usage.idempotency_key } })];
}

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, Buffer.concat(chunks).toString("utf8")).then(
        ([status, body]) => res.writeHead(status, { "Content-Type": "application/json" }).end(body),
        () => res.writeHead(500).end(),
      );
    });
  })
  .listen(Number(process.env.BARE_PORT), "127.0.0.1", () => console.log("bare handler listening"));
