// A local SMTP server that keeps every message it receives, with a small HTTP API to read them: the app sends mail to
// it exactly as it would to a real SMTP server (SMTP_URL), and tests in any process read what was sent.
//   GET  /messages?to=<address>   → [{ id, to, from, subject, text, html, attachments, receivedAt }], oldest first
//   DELETE /messages              → forget everything
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
  id: number;
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string | null;
  /** Attached files: name, type, size and the first bytes (base64), enough to check a PDF is a PDF. */
  attachments: { filename: string | null; contentType: string; size: number; head: string }[];
  receivedAt: string;
}

export interface MailCatcher {
  smtpUrl: string;
  httpUrl: string;
  messages: CaughtMail[];
  stop(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  let nextId = 1;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            id: nextId++,
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : null,
            attachments: mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.content.length, head: a.content.subarray(0, 8).toString("base64") })),
            receivedAt: new Date().toISOString(),
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
  // Once listening, a client that hangs up mid-session (an app server stopped between the test phases, with its pooled
  // connection open) is an error on that connection only, as for any SMTP server: without a listener it would end
  // this process.
  smtp.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "ECONNRESET" && error.code !== "EPIPE") console.error(`mail catcher: ${error.message}`);
  });
  const smtpPort = ((smtp as unknown as { server: Server }).server.address() as AddressInfo).port;

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/messages") {
      res.writeHead(404).end();
      return;
    }
    if (req.method === "DELETE") {
      messages.length = 0;
      res.writeHead(204).end();
      return;
    }
    const to = url.searchParams.get("to")?.toLowerCase();
    const body = JSON.stringify(to ? messages.filter((m) => m.to.includes(to)) : messages);
    res.writeHead(200, { "Content-Type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
  const httpPort = (http.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}?ignoreTLS=true`,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    messages,
    async stop() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Waits for a message to an address (matching `match`, if given) and returns it; for tests in any process. */
export async function waitForMail(mailUrl: string, to: string, match: (mail: CaughtMail) => boolean = () => true, timeoutMs = 15_000): Promise<CaughtMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${mailUrl}/messages?to=${encodeURIComponent(to)}`);
    const found = ((await response.json()) as CaughtMail[]).filter(match);
    if (found.length) return found[found.length - 1];
    if (Date.now() > deadline) throw new Error(`No e-mail to ${to} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function mailsTo(mailUrl: string, to: string): Promise<CaughtMail[]> {
  const response = await fetch(`${mailUrl}/messages?to=${encodeURIComponent(to)}`);
  return (await response.json()) as CaughtMail[];
}
