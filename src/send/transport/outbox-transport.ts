import { createHash } from 'node:crypto';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Envelope, MessageTransport, Outcome } from './message-transport.ts';

/**
 * How files are named, always readable (the recipient's address, made safe) and distinct for distinct messages:
 * `recipient` (an issue's send: `<address>-<hash of address>.eml`, one file per subscriber, so a resumed send
 * rewrites rather than doubles), `message` (`<address>-<hash of message>.eml`, a file per distinct message, for
 * mail that may go to one address more than once, such as confirmations) or `timestamped`
 * (`<time>-<address>.eml`, never overwritten, for `send --test`, whose files sort by when they were made).
 */
export type OutboxNaming = 'recipient' | 'message' | 'timestamped';

function fileName(naming: OutboxNaming, envelope: Envelope, message: Buffer): string {
  // Readable, and unique: two addresses that read the same once made safe (a+b@ and a_b@) keep their own files.
  if (naming === 'timestamped') return `${new Date().toISOString().replace(/[:.]/g, '-')}-${envelope.to.replace(/[^a-z0-9@._-]/gi, '_')}.eml`;
  const safe = envelope.to.toLowerCase().replace(/[^a-z0-9@._-]/g, '_').slice(0, 120);
  return `${safe}-${createHash('sha256').update(naming === 'message' ? message : envelope.to).digest('hex').slice(0, naming === 'message' ? 16 : 8)}.eml`;
}

const WRITTEN = '250 written to ';

/** The file an outbox's `sent` reply names, or null for a reply from anything else. */
export function writtenFile(reply: string): string | null {
  return reply.startsWith(WRITTEN) ? reply.slice(WRITTEN.length) : null;
}

/**
 * The one `.eml` writer, the embedded default when no SMTP server is configured: each message becomes an `.eml`
 * file in `dir`, named after its recipient, so a newcomer can run a whole send and open the results in any mail
 * program.
 */
export function createOutboxTransport(dir: string, description: string, naming: OutboxNaming = 'recipient'): MessageTransport {
  let made: Promise<unknown> | null = null;
  let written = 0;
  return {
    description,
    concurrency: 8,
    async send(envelope: Envelope, message: Buffer): Promise<Outcome> {
      made ??= mkdir(dir, { recursive: true });
      await made;
      const name = fileName(naming, envelope, message);
      // Written beside the folder, then moved in: a mail program (or a test) watching the folder never opens half a
      // message. A timestamped file is linked in, so an existing one is never replaced.
      const temp = join(dirname(dir), `.${basename(dir)}.${name}.${process.pid}-${(written += 1)}.partial`);
      try {
        await writeFile(temp, message);
        if (naming === 'timestamped') {
          await link(temp, join(dir, name));
          await rm(temp, { force: true });
        } else await rename(temp, join(dir, name));
        return { kind: 'sent', reply: `${WRITTEN}${name}` };
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        // A full disk or a permission problem is the machine's, not the subscriber's: stop and keep the row queued.
        return { kind: 'stop', reply: `could not write ${name}: ${(error as Error).message}` };
      }
    },
    close: () => Promise.resolve(),
  };
}
