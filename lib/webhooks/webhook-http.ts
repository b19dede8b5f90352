import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import { addressRefusal, hostRefusal } from "@/lib/net/outbound-address";

/**
 * The one HTTP client of webhook deliveries. It connects only to addresses lib/net/outbound-address.ts allows, checked
 * after DNS resolution on the very address the socket connects to (a custom `lookup`), so a name that resolves — or is
 * rebound — to loopback, a private network or the cloud metadata address is never reached. Redirects are not followed.
 * Only a short excerpt of the answer is read and kept.
 */
export const RESPONSE_EXCERPT_BYTES = 256;

export interface WebhookPostResult {
  statusCode: number | null;
  ok: boolean;
  error: string | null;
  response: string | null;
  latencyMs: number;
}

/** Lago's rule: only these statuses are a success; other 2xx and redirects are failures. */
const SUCCESS_STATUSES = new Set([200, 201, 202, 204]);

export class AddressNotAllowedError extends Error {
  readonly code = "address_not_allowed";
  constructor(host: string, address: string) {
    super(`address_not_allowed: ${host} resolves to ${address}, which webhooks may not reach`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

type Resolver = (hostname: string, options: LookupOptions & { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** dns.lookup (or `resolve`), refusing the whole answer when any address it holds may not be reached. */
export const checkedLookup = (resolve: Resolver = dnsLookup) => (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
  resolve(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((a) => addressRefusal(a.address));
    if (refused || addresses.length === 0) return callback(new AddressNotAllowedError(hostname, refused?.address ?? "nothing"), []);
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  });
};

/**
 * At save time: the address a host name resolves to right now, when webhooks may not reach it (a name that points at
 * loopback, a private network or the metadata address is refused before it is stored). A name that does not resolve,
 * or not within `timeoutMs`, is accepted: every delivery checks the resolved address again.
 */
export function resolvedAddressRefusal(target: string, options: { resolve?: Resolver; timeoutMs?: number } = {}): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve(null);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise((settle) => {
    const timer = setTimeout(() => settle(null), options.timeoutMs ?? 2000);
    (options.resolve ?? dnsLookup)(host, { all: true }, (error, addresses) => {
      clearTimeout(timer);
      if (error) return settle(null);
      settle(addresses.find((a) => addressRefusal(a.address))?.address ?? null);
    });
  });
}

/** POSTs a delivery. `resolve` replaces the system resolver (tests stand in for a DNS server that rebinds a name). */
export function postWebhook(
  target: string,
  request: { body: string; headers: Record<string, string> },
  timeoutMs: number,
  options: { resolve?: Resolver } = {},
): Promise<WebhookPostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (error: string): WebhookPostResult => ({ statusCode: null, ok: false, error, response: null, latencyMs: elapsed() });
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve(failure("url_is_invalid"));
  }
  // Literal addresses never go through `lookup`; they are checked here (the same rule as when the URL was saved).
  const literal = hostRefusal(url);
  if (literal) return Promise.resolve(failure(`address_not_allowed: ${url.hostname} is a ${literal === "loopback" ? "loopback" : "non-public"} address`));
  const client = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (!client) return Promise.resolve(failure("url_is_invalid"));

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: WebhookPostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = client.request(
      url,
      { method: "POST", headers: { ...request.headers, "Content-Length": String(Buffer.byteLength(request.body)) }, lookup: checkedLookup(options.resolve) as never, agent: false },
      (res) => {
        const statusCode = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const done = () => {
          const text = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8").replace(/\uFFFD$/, "");
          const ok = SUCCESS_STATUSES.has(statusCode);
          finish({ statusCode, ok, error: ok ? null : `HTTP ${statusCode}`, response: truncated ? `${text}…` : text, latencyMs: elapsed() });
          res.destroy();
        };
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          // Enough for the log: the rest of the answer is not read, so a huge body costs nothing.
          if (size > RESPONSE_EXCERPT_BYTES) {
            truncated = true;
            done();
          }
        });
        res.on("end", done);
        // The status is what counts; a body cut off (timeout, reset) is not a failure of a 2xx answer.
        res.on("error", done);
        res.on("aborted", done);
      },
    );
    const timer = setTimeout(() => {
      finish(failure(`timed out after ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => {
      finish(failure(error instanceof AddressNotAllowedError ? error.message : (error.code ?? error.message)));
    });
    req.end(request.body);
  });
}
