import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Readable, TransformCallback } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { needsNoEscaping } from './dot-stuffing.ts';

/**
 * The one module that touches Nodemailer outside its declared API: SMTPConnection's `_socket` (to learn when a
 * message's final dot reached the wire, which decides in doubt versus retry, and whether an idle connection is still
 * writable), its `_supportedExtensions` (Nodemailer parses EHLO but does not expose it), and DataStream's
 * `_transform` (patched for the dot-stuffing fast path). These were read from one Nodemailer release, so the
 * transport refuses to start on any other: a silent change there could turn a delivered message into a resend.
 */
export const TESTED_NODEMAILER_VERSION = '10.6.1';

/** Throws unless `version` is the Nodemailer release whose internals this module was written against. */
export function checkNodemailerVersion(version: string): void {
  if (version !== TESTED_NODEMAILER_VERSION) {
    throw new Error(
      `nodemailer ${version} is installed, but src/send/transport/nodemailer-internals.ts uses private internals ` +
        `(_socket, _supportedExtensions, DataStream._transform) of nodemailer ${TESTED_NODEMAILER_VERSION} only: ` +
        `install nodemailer@${TESTED_NODEMAILER_VERSION}, or check those internals in the new release and update TESTED_NODEMAILER_VERSION`,
    );
  }
}

/** The installed Nodemailer's version, from its package.json. */
export function installedNodemailerVersion(): string {
  const manifest = createRequire(import.meta.url)('nodemailer/package.json') as { version?: unknown };
  return String(manifest.version);
}

interface Internals {
  _supportedExtensions?: unknown;
  _socket?: Socket | null;
}

function internals(connection: SMTPConnection): Internals {
  return connection as unknown as Internals;
}

/**
 * Throws unless the installed Nodemailer, and the copy this code runs (bundled or not), are the tested release and
 * still have the fields read here.
 */
export function checkNodemailerInternals(): void {
  checkNodemailerVersion(installedNodemailerVersion());
  const probe = new SMTPConnection({ logger: false });
  checkNodemailerVersion(probe.version);
  if (!Array.isArray(internals(probe)._supportedExtensions)) {
    throw new Error(`nodemailer ${probe.version}: SMTPConnection has no _supportedExtensions (see src/send/transport/nodemailer-internals.ts)`);
  }
}

/**
 * Whether the server on this connection offered an extension in its (last) EHLO reply, e.g. SMTPUTF8. Null when the
 * field is not there after all, so the caller can stop rather than guess.
 */
export function offersExtension(connection: SMTPConnection, extension: string): boolean | null {
  const extensions = internals(connection)._supportedExtensions;
  if (!Array.isArray(extensions)) return null;
  return extensions.includes(extension);
}

/** Whether the connection's socket is still there and writable. */
export function hasWritableSocket(connection: SMTPConnection): boolean {
  const socket = internals(connection)._socket;
  return !!socket && socket.writable;
}

/**
 * Calls `transmitted` each time a message's last byte (the final dot) was written to the socket: from then on a lost
 * connection may have delivered it. Each message goes through a DataStream that SMTPConnection pipes into the socket
 * just before writing the message; that stream ends once its last chunk was written. The same hook gives each
 * DataStream the dot-stuffing fast path. False when the connection has no socket to watch: the caller must not
 * send on it, since it could not tell a delivered message from a lost one.
 */
export function onMessageTransmitted(connection: SMTPConnection, transmitted: () => void): boolean {
  const socket = internals(connection)._socket;
  if (!socket) return false;
  socket.on('pipe', (source: Readable) => {
    skipEscapingWhenClean(source);
    source.once('end', transmitted);
  });
  return true;
}

/** The parts of Nodemailer's DataStream (smtp-connection/data-stream.js) that the fast path keeps in step. */
interface DataStream extends Readable {
  _transform: (chunk: unknown, encoding: BufferEncoding, done: TransformCallback) => void;
  inByteCount: number;
  outByteCount: number;
  lastByte: number | false;
}

/**
 * Lets a clean message through DataStream untouched, keeping its counters and `lastByte` as its own `_transform`
 * would; anything else (bare CR or LF, a leading dot) takes the original path. The shape is checked as well as the
 * version: on a DataStream of another shape this does nothing, so it can only make sending slower, never wrong.
 */
function skipEscapingWhenClean(source: Readable): void {
  const stream = source as DataStream;
  if (typeof stream._transform !== 'function' || typeof stream.inByteCount !== 'number' || typeof stream.outByteCount !== 'number' || !('lastByte' in stream)) return;
  const escape = stream._transform;
  stream._transform = function (this: DataStream, chunk: unknown, encoding: BufferEncoding, done: TransformCallback) {
    if (!Buffer.isBuffer(chunk) || chunk.length === 0 || !needsNoEscaping(chunk, this.lastByte)) return escape.call(this, chunk, encoding, done);
    this.inByteCount += chunk.length;
    this.outByteCount += chunk.length;
    this.lastByte = chunk[chunk.length - 1]!;
    this.push(chunk);
    done();
  };
}
