import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The raw message as the server received it (headers and body). */
  readonly raw: string;
  /** Whether the connection was encrypted (after STARTTLS) when the message came. */
  readonly secure: boolean;
}

export interface TestSmtpServer {
  readonly port: number;
  /** smtp://127.0.0.1:<port> */
  readonly url: string;
  readonly received: readonly ReceivedMail[];
  /** Resolves with the next mail to `to` that has not been taken yet; fails after `timeoutMs`. */
  nextMail(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** Starts listening again on the same port after `stop`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real SMTP server (the npm package smtp-server) on 127.0.0.1 that keeps
 * what it receives. It offers STARTTLS only with `tls` (a certificate and
 * key); without, the client must do without TLS.
 */
export async function startSmtpServer(options: { port?: number; listening?: boolean; tls?: { cert: Buffer; key: Buffer } } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();
  let server: SMTPServer | undefined;
  let port = options.port ?? 0;

  const create = () =>
    new SMTPServer({
      authOptional: true,
      ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : { disabledCommands: ["STARTTLS"] }),
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString("utf8"),
            secure: session.secure,
          });
          for (const wake of waiters) wake();
          callback();
        });
      },
    });

  const start = async () => {
    server = create();
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(port, "127.0.0.1", () => resolve());
    });
    port = (server.server.address() as { port: number }).port;
  };
  const stop = async () => {
    const closing = server;
    server = undefined;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  if (options.listening === false) {
    // Take a free port and let it go: the server "is down" there until start().
    await start();
    await stop();
  } else {
    await start();
  }

  return {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    received,
    nextMail(to, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const mail = received.find((m) => !taken.has(m) && m.to.includes(to));
          if (!mail) return false;
          taken.add(mail);
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(mail);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    start,
    stop,
  };
}

/** The unlock link in a mail (quoted-printable soft breaks undone). */
export function unlockLinkIn(mail: ReceivedMail): string {
  const body = mail.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const link = /https?:\/\/\S+\/ui\/login\/unlock\?token=[A-Za-z0-9_-]+/.exec(body)?.[0];
  if (!link) throw new Error("the mail has no unlock link");
  return link;
}
