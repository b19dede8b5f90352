import nodemailer, { type Transporter } from "nodemailer";

/**
 * Where e-mail goes: SMTP_URL (e.g. smtps://user:pass@smtp.example.com:465) in production — and in the test suite,
 * which points it at a local capturing SMTP server. Without SMTP_URL (a developer's machine) messages are written to
 * the server log instead, so sign-in links still work offline. MAIL_FROM sets the sender.
 */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Files sent with the message (an invoice's PDF). */
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface MailDelivery {
  messageId: string | null;
  /** "sent" through SMTP, or "logged" to the server log when no SMTP server is configured. */
  status: "sent" | "logged";
}

const globalForMail = globalThis as unknown as { nexaMailTransport?: { url: string; transporter: Transporter } };

function transporter(url: string): Transporter {
  if (globalForMail.nexaMailTransport?.url !== url) {
    globalForMail.nexaMailTransport = { url, transporter: nodemailer.createTransport(url) };
  }
  return globalForMail.nexaMailTransport.transporter;
}

export const mailSender = () => process.env.MAIL_FROM ?? "Nexa Billing <billing@nexa.example>";

export async function deliverMail(mail: OutgoingMail): Promise<MailDelivery> {
  const url = process.env.SMTP_URL?.trim();
  if (!url) {
    const files = mail.attachments?.length ? `\nAttached: ${mail.attachments.map((a) => a.filename).join(", ")}` : "";
    console.log(`[mail] (no SMTP_URL; not sent) To: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}${files}\n`);
    return { messageId: null, status: "logged" };
  }
  const info = await transporter(url).sendMail({ from: mailSender(), to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, attachments: mail.attachments });
  return { messageId: info.messageId ?? null, status: "sent" };
}
