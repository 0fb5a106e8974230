/**
 * A scriptable SMTP server for tests: it records what it accepts and answers as the test's hooks say. Hooks take
 * and return plain data (addresses, Buffers, `{ code, message }`, verdict strings), so the peer could run in a
 * separate process behind a message channel without changing what tests write.
 */
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** A reply the peer gives instead of accepting, e.g. `{ code: 550, message: '5.1.1 user unknown' }`. */
export interface PeerReply {
  code: number;
  message: string;
}

/** `'hang'` never sends the greeting. */
export type ConnectVerdict = 'accept' | 'hang' | PeerReply;
/** `'drop'` closes the connection once the final dot arrived, without replying; `'hang'` never replies. */
export type DataVerdict = 'accept' | 'drop' | 'hang' | PeerReply;

/** Each hook answers `undefined` (or `'accept'`) to go on as a well-behaved server. */
export interface PeerHooks {
  onConnect?: ((session: SMTPServerSession) => ConnectVerdict | undefined) | undefined;
  onAuth?: ((credentials: { username: string; password: string }, session: SMTPServerSession) => PeerReply | undefined) | undefined;
  onMailFrom?: ((address: string, session: SMTPServerSession) => PeerReply | undefined) | undefined;
  onRcptTo?: ((address: string, session: SMTPServerSession) => PeerReply | undefined) | undefined;
  /** `address` is the first recipient; the whole envelope is in `session.envelope`. */
  onData?: ((address: string, raw: Buffer, session: SMTPServerSession) => DataVerdict | undefined) | undefined;
}

export interface ReceivedMessage {
  /** The envelope recipient (one entry per recipient of a message). */
  to: string;
  raw: Buffer;
  /** Whether MAIL FROM carried the SMTPUTF8 parameter (RFC 6531). */
  smtpUtf8: boolean;
}

/** How the peer presents itself, beside the hooks. */
export interface PeerOptions {
  /** Leave SMTPUTF8 out of the EHLO reply, as a server without RFC 6531 support does. */
  hideSMTPUTF8?: boolean;
}

function replyError(reply: PeerReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

function count(counts: Map<string, number>, address: string): void {
  const key = address.toLowerCase();
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export class SmtpPeer implements PeerHooks {
  onConnect: PeerHooks['onConnect'];
  onAuth: PeerHooks['onAuth'];
  onMailFrom: PeerHooks['onMailFrom'];
  onRcptTo: PeerHooks['onRcptTo'];
  onData: PeerHooks['onData'];
  /** Connections accepted so far. */
  connections = 0;
  readonly #server: SMTPServer;
  /** Open sockets by the client's port, to drop a session's connection and to close everything at the end. */
  readonly #sockets = new Map<number, Socket>();
  readonly #received: ReceivedMessage[] = [];
  readonly #accepted = new Map<string, number>();
  readonly #arrived = new Map<string, number>();
  #port = 0;

  constructor(hooks: PeerHooks = {}, options: PeerOptions = {}) {
    ({ onConnect: this.onConnect, onAuth: this.onAuth, onMailFrom: this.onMailFrom, onRcptTo: this.onRcptTo, onData: this.onData } = hooks);
    this.#server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      hideSMTPUTF8: options.hideSMTPUTF8 ?? false,
      authOptional: true,
      allowInsecureAuth: true,
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 100,
      onConnect: (session, callback) => {
        const verdict = this.onConnect?.(session);
        if (verdict === 'hang') return;
        callback(verdict && verdict !== 'accept' ? replyError(verdict) : null);
      },
      onAuth: (auth, session, callback) => {
        const reply = this.onAuth?.({ username: auth.username ?? '', password: auth.password ?? '' }, session);
        if (reply) callback(replyError(reply));
        else callback(null, { user: auth.username });
      },
      onMailFrom: (address, session, callback) => {
        const reply = this.onMailFrom?.(address.address, session);
        callback(reply ? replyError(reply) : null);
      },
      onRcptTo: (address, session, callback) => {
        const reply = this.onRcptTo?.(address.address, session);
        callback(reply ? replyError(reply) : null);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        // 'end' comes once the final dot was read: the peer has the whole message, whatever it answers.
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          for (const to of recipients) count(this.#arrived, to);
          const verdict = this.onData?.(recipients[0] ?? '', raw, session) ?? 'accept';
          if (verdict === 'hang') return;
          if (verdict === 'drop') return void this.#sockets.get(session.remotePort)?.destroy();
          if (verdict !== 'accept') return callback(replyError(verdict));
          for (const to of recipients) {
            this.#received.push({ to, raw, smtpUtf8: session.envelope.smtpUtf8 === true });
            count(this.#accepted, to);
          }
          callback(null, 'OK: queued');
        });
      },
    });
    this.#server.on('error', () => {}); // a client vanishing mid-session is part of the script, not a failure
    this.#server.server.on('connection', (socket: Socket) => {
      this.connections++;
      const port = socket.remotePort ?? 0;
      this.#sockets.set(port, socket);
      socket.on('close', () => this.#sockets.delete(port));
    });
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.#server.server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  get port(): number {
    return this.#port;
  }

  /** For the transport under test: plain text, no STARTTLS. */
  get url(): string {
    return `smtp://127.0.0.1:${this.#port}/?ignoreTLS=true`;
  }

  /** The same with credentials, percent-encoded as a URL needs them. */
  urlWithAuth(user: string, password: string): string {
    return `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.#port}/?ignoreTLS=true`;
  }

  /** Connections open right now. */
  get openConnections(): number {
    return this.#sockets.size;
  }

  /** Every message accepted with a 250, in order, once per recipient. */
  received(): ReceivedMessage[] {
    return [...this.#received];
  }

  /** Messages to `address` accepted with a 250. */
  copiesOf(address: string): number {
    return this.#accepted.get(address.toLowerCase()) ?? 0;
  }

  /** Messages to `address` whose data arrived in full, final dot included, whatever the peer answered. */
  dataReceived(address: string): number {
    return this.#arrived.get(address.toLowerCase()) ?? 0;
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    for (const socket of this.#sockets.values()) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A peer listening on 127.0.0.1, port chosen by the system. */
export function startSmtpPeer(hooks: PeerHooks = {}, options: PeerOptions = {}): Promise<SmtpPeer> {
  return new SmtpPeer(hooks, options).listen();
}
