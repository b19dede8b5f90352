import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyLagoHmacSignature, verifyWebhookSignature } from "@/lib/webhooks/webhook-signature";

/** One request as an app's webhook handler saw it, with its signature checks. */
export interface ReceivedWebhook {
  eventId: string;
  type: string;
  body: Record<string, unknown>;
  rawBody: string;
  headers: http.IncomingHttpHeaders;
  nexaSignatureValid: boolean;
  lagoSignatureValid: boolean;
  answeredWith: number | "hang";
}

export type ReceiverMode = "ok" | "error" | "hang";

/**
 * A real HTTP webhook receiver for tests, like an app's handler: verifies both signatures, answers per `mode`, and
 * keeps every request. It can be stopped (connection refused) and started again on the same port.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  mode: ReceiverMode = "ok";
  /** Requests whose answer is being held (mode "hang"). */
  readonly hanging = new Set<http.ServerResponse>();
  private server: http.Server | null = null;
  private port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/webhooks`;
  }

  /** Reserves a port without listening on it: requests to `url` are refused until start(). */
  async reservePort(): Promise<string> {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    this.port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    return this.url;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        const body = JSON.parse(rawBody) as Record<string, unknown>;
        const answeredWith = this.mode === "hang" ? "hang" : this.mode === "ok" ? 200 : 500;
        this.received.push({
          eventId: String(req.headers["x-nexa-event-id"]),
          type: String(req.headers["x-nexa-event-type"]),
          body,
          rawBody,
          headers: req.headers,
          nexaSignatureValid: verifyWebhookSignature(rawBody, req.headers["x-nexa-signature"] as string, this.secret).valid,
          lagoSignatureValid: verifyLagoHmacSignature(rawBody, req.headers["x-lago-signature"] as string, this.secret),
          answeredWith,
        });
        if (answeredWith === "hang") {
          this.hanging.add(res);
          res.on("close", () => this.hanging.delete(res));
          return;
        }
        res.writeHead(answeredWith, { "Content-Type": "text/plain" }).end(answeredWith === 200 ? "ok" : "boom");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** The requests the handler accepted (answered 200), in arrival order. */
  accepted(): ReceivedWebhook[] {
    return this.received.filter((r) => r.answeredWith === 200);
  }
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(check: () => T | Promise<T>, { timeoutMs = 15_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
