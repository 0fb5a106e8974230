import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope, MessageTransport, Outcome } from './message-transport.ts';

/**
 * How files are named: `recipient` (an issue's send: one file per subscriber) or `message` (a file per distinct
 * message, for mail that may go to one address more than once, such as confirmations).
 */
export type OutboxNaming = 'recipient' | 'message';

/**
 * The embedded default when no SMTP server is configured: each message becomes an `.eml` file in `dir`, named after
 * its recipient, so a newcomer can run a whole send and open the results in any mail program.
 */
export function createOutboxTransport(dir: string, description: string, naming: OutboxNaming = 'recipient'): MessageTransport {
  let made: Promise<unknown> | null = null;
  return {
    description,
    concurrency: 8,
    async send(envelope: Envelope, message: Buffer): Promise<Outcome> {
      made ??= mkdir(dir, { recursive: true });
      await made;
      // Readable, and unique: two addresses that read the same once made safe (a+b@ and a_b@) keep their own files.
      const safe = envelope.to.toLowerCase().replace(/[^a-z0-9@._-]/g, '_').slice(0, 120);
      const name = `${safe}-${createHash('sha256').update(naming === 'message' ? message : envelope.to).digest('hex').slice(0, naming === 'message' ? 16 : 8)}.eml`;
      try {
        await writeFile(join(dir, name), message);
        return { kind: 'sent', reply: `250 written to ${name}` };
      } catch (error) {
        // A full disk or a permission problem is the machine's, not the subscriber's: stop and keep the row queued.
        return { kind: 'stop', reply: `could not write ${name}: ${(error as Error).message}` };
      }
    },
    close: () => Promise.resolve(),
  };
}
