import SMTPConnection from 'nodemailer/lib/smtp-connection';

/**
 * The one module that reads SMTPConnection state outside Nodemailer's declared API. Nodemailer parses the EHLO reply
 * into `_supportedExtensions` but does not expose it, and when the server lacks SMTPUTF8 it sends a UTF-8 address
 * anyway. The field is private, so this module pins the major version it was read from and fails loudly on another.
 */
const KNOWN_MAJOR = 10;

interface Internals {
  _supportedExtensions?: unknown;
}

/** Throws unless the installed Nodemailer is the one whose internals this module knows. */
export function checkNodemailerInternals(): void {
  const probe = new SMTPConnection({ logger: false });
  const major = Number(probe.version.split('.')[0]);
  if (major !== KNOWN_MAJOR || !Array.isArray((probe as unknown as Internals)._supportedExtensions)) {
    throw new Error(
      `nodemailer ${probe.version} is installed, but src/send/nodemailer-internals.ts reads SMTPConnection internals ` +
        `of nodemailer ${KNOWN_MAJOR}.x: check _supportedExtensions there, then update KNOWN_MAJOR`,
    );
  }
}

/**
 * Whether the server on this connection offered an extension in its (last) EHLO reply, e.g. SMTPUTF8. Null when the
 * field is not there after all, so the caller can stop rather than guess.
 */
export function offersExtension(connection: SMTPConnection, extension: string): boolean | null {
  const extensions = (connection as unknown as Internals)._supportedExtensions;
  if (!Array.isArray(extensions)) return null;
  return extensions.includes(extension);
}
