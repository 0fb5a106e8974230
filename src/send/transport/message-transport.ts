/**
 * What became of one message handed to a transport. The runner turns these into ledger states; the transport never
 * retries or requeues a message by itself, so the ledger always knows what happened.
 */
export type Outcome =
  /** The server answered 250 to the end of DATA: the message is the server's responsibility now. */
  | { kind: 'sent'; reply: string }
  /**
   * Temporary (4xx, a refused or lost connection before the message was complete, a timeout before the final dot):
   * the message was certainly not accepted and may be sent again later. `slowDown` is set for the replies that say
   * the server wants less traffic (421, 450, 451, 452) and for connection failures.
   */
  | { kind: 'retry'; reply: string; slowDown: boolean }
  /**
   * Permanent for this recipient (5xx to RCPT TO, DATA or the message). `bounce` is set for the replies that say
   * the address does not exist (550/551/553 with a 5.1.x enhanced code, or 550 "user unknown" without one), so the
   * subscriber is marked `bounced` and never mailed again.
   */
  | { kind: 'failed'; reply: string; bounce: boolean }
  /** The whole message was transmitted but no final reply arrived (connection lost, timeout): it may have arrived. */
  | { kind: 'in_doubt'; reply: string }
  /**
   * The run cannot go on and no subscriber is to blame (535 to AUTH, 5xx to MAIL FROM, TLS or configuration
   * failure): the message was not sent and stays queued.
   */
  | { kind: 'stop'; reply: string };

export interface Envelope {
  /** The bounce address (MAIL FROM). */
  from: string;
  /** One recipient (RCPT TO). */
  to: string;
}

/** Something that delivers raw RFC 5322 messages: an SMTP pool, the `.eml` outbox. */
export interface MessageTransport {
  /** Where mail goes, for messages to the writer: never credentials. */
  readonly description: string;
  /** How many messages it can usefully have in flight at once. */
  readonly concurrency: number;
  /**
   * Sends one message (CRLF line ends, not dot-stuffed). Never rejects for anything the server or the network did:
   * every such result is an Outcome.
   */
  send(envelope: Envelope, message: Buffer): Promise<Outcome>;
  /** Closes connections after the messages in flight finish. */
  close(): Promise<void>;
}
