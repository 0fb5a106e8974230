/**
 * A discarding SMTP sink on 127.0.0.1 for `npm run bench:send` where Debian's `smtp-sink` (postfix) is missing:
 * smtp-server, no TLS, no auth, every message read to its end and answered 250.
 *
 * Usage: node --import tsx scripts/smtp-sink.ts <port>
 */
import { SMTPServer } from 'smtp-server';

const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 50 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => callback());
  },
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
