import type { Outcome } from './message-transport.ts';

/** The fields of a Nodemailer SMTPConnection error that say what happened (see its `_formatError`). */
export interface SmtpError {
  /** EENVELOPE, EMESSAGE, ECONNECTION, ETIMEDOUT, ESOCKET, EAUTH, EPROTOCOL, ETLS, EDNS… */
  code?: string | undefined;
  /** The system error underneath, e.g. ECONNREFUSED or ERR_SSL_WRONG_VERSION_NUMBER under ESOCKET. */
  originalCode?: string | undefined;
  responseCode?: number | undefined;
  /** The server's reply, all its lines. */
  response?: string | undefined;
  /** The step that failed: 'CONN', 'EHLO', 'STARTTLS', 'AUTH PLAIN', 'MAIL FROM', 'RCPT TO', 'DATA', 'API'. */
  command?: string | undefined;
  message?: string | undefined;
  rejectedErrors?: SmtpError[] | undefined;
}

/** What `SMTPConnection.send` ended with: the final reply to the message, or an error. */
export type SmtpResult = { ok: true; response: string } | { ok: false; error: SmtpError };

/** The replies that ask for less traffic (RFC 5321 421, and the common 450/451/452 deferrals). */
const SLOW_DOWN = new Set([421, 450, 451, 452]);
/** Replies about our credentials, wherever they come: no subscriber is to blame. */
const AUTH_FAILURE = new Set([530, 534, 535]);
/** 5.1.7 and 5.1.8 are about the sender's address, never the subscriber's. */
const SENDER_STATUS = new Set(['5.1.7', '5.1.8']);

interface Reply {
  text: string;
  status: number;
  /** The enhanced status code (RFC 3463), when the server gave one. */
  enhanced: string | null;
}

function parseReply(response: string | undefined): Reply | null {
  const text = response?.trim();
  if (!text) return null;
  const match = /^(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3})(?=\s|$))?/.exec(text);
  return match ? { text, status: Number(match[1]), enhanced: match[2] ?? null } : null;
}

/** The server's reply to the failed step; for a refused recipient, the reply to its RCPT TO. */
function replyOf(error: SmtpError): Reply | null {
  return parseReply(error.response) ?? parseReply(error.rejectedErrors?.[0]?.response);
}

/** An error with no reply, described for the ledger, e.g. `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:25`. */
function describe(error: SmtpError): string {
  const code = error.originalCode ?? error.code ?? 'ERROR';
  const message = error.message?.trim() || 'no reply';
  return message.includes(code) ? message : `${code}: ${message}`;
}

/** A certificate or handshake failure: retrying will not fix it, the configuration must change. */
function isTlsFailure(error: SmtpError): boolean {
  if (error.code === 'ETLS' || error.code === 'EREQUIRETLS') return true;
  return /^(ERR_SSL_|ERR_TLS_)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(error.originalCode ?? '');
}

/** 550/551/553 saying the address does not exist (5.1.x, or no enhanced code at all). */
function isBounce(reply: Reply): boolean {
  if (reply.status !== 550 && reply.status !== 551 && reply.status !== 553) return false;
  if (reply.enhanced === null) return true;
  return reply.enhanced.startsWith('5.1.') && !SENDER_STATUS.has(reply.enhanced);
}

/**
 * What became of one message, from how `SMTPConnection.send` (or the connect and login before it) ended.
 * `transmitted` says whether the whole message, final dot included, had been handed to the socket: a connection
 * lost after that may have delivered it, so it is `in_doubt`, never `retry`.
 */
export function classify(result: SmtpResult, transmitted: boolean): Outcome {
  if (result.ok) return { kind: 'sent', reply: result.response.trim() };
  const { error } = result;
  const reply = replyOf(error);

  if (reply && reply.status >= 400 && reply.status < 500) return { kind: 'retry', reply: reply.text, slowDown: SLOW_DOWN.has(reply.status) };
  if (reply && AUTH_FAILURE.has(reply.status)) return { kind: 'stop', reply: reply.text };
  if (error.code === 'EAUTH' || isTlsFailure(error)) return { kind: 'stop', reply: reply?.text ?? describe(error) };

  if (reply && reply.status >= 500) {
    // 503 is a session out of step ("bad sequence"), not a verdict on the message: a new connection may take it.
    if (reply.status === 503) return { kind: 'retry', reply: reply.text, slowDown: false };
    const command = error.command ?? '';
    if (command === 'RCPT TO') return { kind: 'failed', reply: reply.text, bounce: isBounce(reply) };
    // A reply to the message itself; a server that says 5xx and hangs up after the dot reports it as 'CONN'.
    if (command === 'DATA' || transmitted) return { kind: 'failed', reply: reply.text, bounce: false };
    // The greeting, EHLO, MAIL FROM: the server refuses us, not this subscriber.
    return { kind: 'stop', reply: reply.text };
  }

  // No usable reply from here on: the connection failed, or Nodemailer refused the message before sending it.
  if (transmitted) return { kind: 'in_doubt', reply: `no reply after the message was transmitted (${describe(error)})` };
  if (error.code === 'EENVELOPE') {
    // Checked locally before MAIL FROM: a recipient address that can never be sent to, or our own bad sender.
    return /sender/i.test(error.message ?? '') ? { kind: 'stop', reply: describe(error) } : { kind: 'failed', reply: describe(error), bounce: false };
  }
  // Larger than the server's advertised SIZE: the issue is too big for this server, whoever it goes to.
  if (error.code === 'EMESSAGE') return { kind: 'stop', reply: describe(error) };
  // The SMTP host does not exist: a configuration problem, not a passing one.
  if (error.code === 'EDNS' && error.originalCode === 'ENOTFOUND') return { kind: 'stop', reply: describe(error) };
  return { kind: 'retry', reply: describe(error), slowDown: true };
}
