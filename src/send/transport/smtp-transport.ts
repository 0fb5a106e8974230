import { isAscii } from 'node:buffer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Envelope, MessageTransport, Outcome } from './message-transport.ts';
import { checkNodemailerInternals, hasWritableSocket, offersExtension, onMessageTransmitted } from './nodemailer-internals.ts';
import { classify, type SmtpError, type SmtpResult } from './smtp-reply.ts';
import { parseSmtpUrl, type SmtpTarget } from './smtp-url.ts';

export interface SmtpTransportOptions {
  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465`; see `parseSmtpUrl` for flags. */
  url: string;
  /** Most connections, and so most messages in flight, at once. */
  concurrency: number;
  /** How long connecting, the greeting and every reply may take. */
  timeoutMs: number;
  /** The name given in EHLO; the machine's name by default. */
  name?: string;
  tls?: { rejectUnauthorized?: boolean };
}

interface Link {
  connection: SMTPConnection;
  /** Set once the final dot of the message in flight was handed to the socket. */
  transmitted: boolean;
  /** Cleared when the connection fails or closes: it is never handed out again. */
  usable: boolean;
}

type Step<T> = { ok: true; value: T } | { ok: false; error: SmtpError };

const CLOSED: SmtpError = { code: 'ECONNECTION', message: 'Connection closed', command: 'CONN' };

/**
 * Runs one SMTPConnection operation to its end. Its callback is not enough: connect and login learn of a dead
 * socket only through the 'error' event, and nothing may wait forever on a connection that closed.
 */
function step<T>(connection: SMTPConnection, start: (done: (error: SmtpError | null, value?: T) => void) => void): Promise<Step<T>> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Step<T>) => {
      if (settled) return;
      settled = true;
      connection.off('error', onError);
      connection.off('end', onEnd);
      resolve(result);
    };
    const onError = (error: SmtpError) => finish({ ok: false, error });
    // 'end' comes just before the callback that carries a 421 reply, so the callback gets a turn first.
    const onEnd = () => setImmediate(() => finish({ ok: false, error: CLOSED }));
    connection.on('error', onError);
    connection.on('end', onEnd);
    start((error, value) => finish(error ? { ok: false, error } : { ok: true, value: value as T }));
  });
}

const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * Why a message cannot go over this connection, or null when it can. An address with non-ASCII characters before
 * the @ needs SMTPUTF8 (RFC 6531); Nodemailer would send it as raw UTF-8 to a server that never offered it. The
 * check is per connection: one server in a pool may offer it and another not. A recipient's address fails only that
 * delivery, and nobody is blamed for it (no bounce); a sender's address stops the run, as it fails every message.
 */
function smtpUtf8Refusal(envelope: Envelope, connection: SMTPConnection, server: string): Outcome | null {
  const sender = NON_ASCII.test(envelope.from);
  if (!sender && !NON_ASCII.test(envelope.to)) return null;
  const offered = offersExtension(connection, 'SMTPUTF8');
  if (offered === null) return { kind: 'stop', reply: 'cannot tell whether the server offers SMTPUTF8 (see src/send/transport/nodemailer-internals.ts)' };
  if (offered) return null;
  const reason = `not sent: the server (${server}) does not offer SMTPUTF8, which an address with non-ASCII characters before the @ needs (RFC 6531)`;
  return sender ? { kind: 'stop', reply: `${reason}: the sender ${envelope.from}` } : { kind: 'failed', reply: reason, bounce: false };
}

function isFresh(link: Link): boolean {
  return link.usable && !link.connection.destroyed && hasWritableSocket(link.connection);
}

class SmtpTransport implements MessageTransport {
  readonly description: string;
  readonly concurrency: number;
  readonly #target: SmtpTarget;
  readonly #options: SmtpTransportOptions;
  /** Connected and idle, most recently used last: the busiest stay warm, the rest reach their idle timeout. */
  #idle: Link[] = [];
  /** Sends holding one of the `concurrency` slots; the others wait in `#waiting`, first come first served. */
  #active = 0;
  #waiting: (() => void)[] = [];
  #drained: (() => void) | null = null;
  #closing: Promise<void> | null = null;
  /** Set when the server refuses our session (credentials, TLS, greeting): no more connections are tried. */
  #halted: Outcome | null = null;
  /** Until one connection got through, they are opened one at a time: bad credentials cost one failed login, not `concurrency`. */
  #proven = false;
  #opening: Promise<unknown> | null = null;
  /** QUITs sent after a halt, which close() still waits for. */
  #quitting = new Set<Promise<void>>();

  constructor(options: SmtpTransportOptions) {
    checkNodemailerInternals();
    this.#target = parseSmtpUrl(options.url);
    this.#options = options;
    this.description = this.#target.description;
    this.concurrency = Math.max(1, Math.floor(options.concurrency));
  }

  async send(envelope: Envelope, message: Buffer): Promise<Outcome> {
    if (this.#closing) throw new Error(`the SMTP transport to ${this.description} is closed`);
    await this.#takeSlot();
    let link: Link | null = null;
    let dirty = false;
    try {
      if (this.#halted) return this.#halted;
      link = this.#takeIdle();
      if (!link) {
        const opened = await this.#open();
        if ('kind' in opened) return opened;
        link = opened;
      }
      const { connection } = link;
      const refused = smtpUtf8Refusal(envelope, connection, this.description);
      if (refused) return refused;
      link.transmitted = false;
      // SIZE lets the server refuse an oversized message before it is sent; 8BITMIME is declared only when needed.
      const smtpEnvelope = { from: envelope.from, to: [envelope.to], size: message.length, use8BitMime: !isAscii(message) };
      const result = await step<SMTPConnection.SentMessageInfo>(connection, (done) => connection.send(smtpEnvelope, message, done));
      dirty = !result.ok;
      const sent: SmtpResult = result.ok ? { ok: true, response: result.value.response } : result;
      return classify(sent, link.transmitted);
    } finally {
      void this.#release(link, dirty);
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    if (this.#active > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    await Promise.all([...this.#idle.splice(0).map(quit), ...this.#quitting]);
  }

  #takeSlot(): Promise<void> {
    if (this.#active < this.concurrency) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #freeSlot(): void {
    const next = this.#waiting.shift();
    if (next) return next(); // the slot passes straight to the next send
    this.#active--;
    if (this.#active === 0) this.#drained?.();
  }

  #takeIdle(): Link | null {
    for (let link = this.#idle.pop(); link; link = this.#idle.pop()) {
      if (isFresh(link)) return link;
      link.connection.close();
    }
    return null;
  }

  /** A connected (and logged in) link, or the outcome that says why there is none. */
  async #open(): Promise<Link | Outcome> {
    while (!this.#proven && this.#opening) await this.#opening.catch(() => undefined);
    if (this.#halted) return this.#halted;
    const attempt = this.#connect();
    if (!this.#proven) this.#opening = attempt;
    try {
      const opened = await attempt;
      if (!('kind' in opened)) this.#proven = true;
      else if (opened.kind === 'stop') this.#halt(opened);
      return opened;
    } finally {
      if (this.#opening === attempt) this.#opening = null;
    }
  }

  async #connect(): Promise<Link | Outcome> {
    const target = this.#target;
    const timeout = this.#options.timeoutMs;
    const rejectUnauthorized = this.#options.tls?.rejectUnauthorized ?? target.rejectUnauthorized;
    const connection = new SMTPConnection({
      host: target.host,
      port: target.port,
      secure: target.secure,
      ignoreTLS: target.ignoreTLS,
      requireTLS: target.requireTLS,
      name: this.#options.name,
      tls: rejectUnauthorized === undefined ? undefined : { rejectUnauthorized },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // A connection we give up on is destroyed at once: no half-closed socket or grace timer outlives it.
      socketCloseTimeout: 0,
      logger: false,
    });
    const link: Link = { connection, transmitted: false, usable: true };
    // Failures reach the step in progress through its own listener; this one only keeps an idle failure handled.
    connection.on('error', () => (link.usable = false));
    connection.on('end', () => {
      link.usable = false;
      const at = this.#idle.indexOf(link);
      if (at >= 0) this.#idle.splice(at, 1);
    });

    const connected = await step<void>(connection, (done) => connection.connect((error) => done(error ?? null)));
    const auth = target.auth;
    const ready = connected.ok && auth ? await step<boolean>(connection, (done) => connection.login(auth, done)) : connected;
    if (!ready.ok) {
      connection.close();
      return classify(ready, false);
    }
    // From the final dot on, a lost connection may have delivered the message: in doubt, not retry.
    if (!onMessageTransmitted(connection, () => (link.transmitted = true))) {
      connection.close();
      return { kind: 'stop', reply: 'nodemailer: a connected SMTPConnection has no _socket (see src/send/transport/nodemailer-internals.ts)' };
    }
    return link;
  }

  /** Back to the idle list (after RSET when the transaction failed), or closed; then the slot is free. */
  async #release(link: Link | null, dirty: boolean): Promise<void> {
    try {
      if (!link) return;
      if (dirty && isFresh(link)) {
        const reset = await step<boolean>(link.connection, (done) => link.connection.reset(done));
        if (!reset.ok) link.usable = false;
      }
      if (isFresh(link) && !this.#halted) this.#idle.push(link);
      else link.connection.close();
    } finally {
      this.#freeSlot();
    }
  }

  #halt(outcome: Outcome): void {
    this.#halted ??= outcome;
    for (const link of this.#idle.splice(0)) {
      const done = quit(link);
      this.#quitting.add(done);
      void done.then(() => this.#quitting.delete(done));
    }
  }
}

/** QUIT, then resolves once the connection is gone (on the 221, the server closing, or the socket timeout). */
function quit(link: Link): Promise<void> {
  const connection = link.connection;
  if (connection.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    connection.once('end', () => resolve());
    connection.quit();
  });
}

/**
 * Sends over up to `concurrency` reused SMTP connections and reports each message's fate as an Outcome. It never
 * retries or requeues a message (Nodemailer's own pool requeues on a lost connection): the ledger decides.
 */
export function createSmtpTransport(options: SmtpTransportOptions): MessageTransport {
  return new SmtpTransport(options);
}
