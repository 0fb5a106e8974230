import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the local inbox received, as the preview's Inbox tab shows it. */
export interface ReceivedMessage {
  id: number;
  receivedAt: string;
  envelope: { from: string; to: string[] };
  subject: string;
  from: string;
  to: string;
  /** Header lines as received (unfolded is the parser's business; these are the raw lines). */
  headers: { key: string; line: string }[];
  html: string | null;
  text: string | null;
  raw: string;
  /** The raw message's size in bytes. */
  size: number;
}

/** The newest messages kept; older ones are dropped so a long session cannot grow without bound. */
const KEEP = 200;

/**
 * A local SMTP server that accepts every message and keeps it in memory: somewhere to send test emails that is
 * not a real inbox. Listens on 127.0.0.1 only; no authentication, no TLS.
 */
export class Inbox {
  readonly messages: ReceivedMessage[] = [];
  private nextId = 1;
  private readonly server: SMTPServer;
  port = 0;

  constructor(private readonly onMessage: (message: ReceivedMessage) => void = () => undefined) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      size: 25 * 1024 * 1024,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const envelopeFrom = session.envelope.mailFrom;
              const message: ReceivedMessage = {
                id: this.nextId++,
                receivedAt: new Date().toISOString(),
                envelope: {
                  from: envelopeFrom ? envelopeFrom.address : '',
                  to: session.envelope.rcptTo.map((r) => r.address),
                },
                subject: parsed.subject ?? '',
                from: parsed.from?.text ?? '',
                to: Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? ''),
                headers: (parsed.headerLines || []).map((h) => ({ key: h.key, line: h.line })),
                html: typeof parsed.html === 'string' ? parsed.html : null,
                text: parsed.text ?? null,
                raw: raw.toString('utf8'),
                size: raw.length,
              };
              this.messages.unshift(message);
              this.messages.length = Math.min(this.messages.length, KEEP);
              this.onMessage(message);
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', reject);
        resolve();
      });
    });
    const address = this.server.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
  }

  message(id: number): ReceivedMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  /** Forgets one message; false when there was none with that id. */
  remove(id: number): boolean {
    const at = this.messages.findIndex((m) => m.id === id);
    if (at === -1) return false;
    this.messages.splice(at, 1);
    return true;
  }

  /** Forgets every message; ids keep counting, so an old link never shows a newer message. */
  clear(): void {
    this.messages.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
