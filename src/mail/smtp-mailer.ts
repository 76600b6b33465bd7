import { createTransport } from "nodemailer";

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  /** Resolves once the mail server accepted the message; rejects otherwise (nothing is retried here). */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or smtps:// (TLS from the start). */
  readonly url: string;
  /** The sender, e.g. `Latchkey <noreply@example.com>`. */
  readonly from: string;
}

/**
 * Mail over SMTP with nodemailer. Timeouts are short: the outbox retries,
 * and a claim must not outlive its lease while a server hangs.
 */
export function createSmtpMailer(options: SmtpMailerOptions): Mailer {
  const transport = createTransport({
    url: options.url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transport.close(),
  };
}

/** The sender when none is configured: noreply at the external URL's host. */
export function defaultSender(externalUrl: string): string {
  return `Latchkey <noreply@${new URL(externalUrl).hostname}>`;
}
