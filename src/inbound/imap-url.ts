/** Where the bounce mailbox is and how to log in: `IMAP_URL` taken apart, in the shape imapflow takes. */
export interface ImapTarget {
  host: string;
  port: number;
  /** TLS from the first byte (imaps://); imap:// is plain, and only allowed to this machine. */
  secure: boolean;
  auth: { user: string; pass: string };
  /** The folder read: the URL's path, INBOX when it has none. */
  mailbox: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * `imaps://user:pass@host:993/INBOX` (or `imap://` to 127.0.0.1, plain) to an ImapTarget; an error names IMAP_URL and
 * says what is wrong, and never repeats the URL (it holds the password). Pure.
 */
export function parseImapUrl(text: string): { ok: true; target: ImapTarget } | { ok: false; error: string } {
  const fail = (why: string) => ({ ok: false as const, error: `IMAP_URL ${why} (like imaps://user:password@mail.example.org/INBOX)` });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('is not a URL');
  }
  if (url.protocol !== 'imaps:' && url.protocol !== 'imap:') return fail(`must start with imaps:// or imap://, not ${url.protocol}//`);
  const secure = url.protocol === 'imaps:';
  if (!url.hostname) return fail('has no host');
  // A password in the clear crosses no network: imap:// only to a server on this machine.
  if (!secure && !LOOPBACK.has(url.hostname)) return fail('sends the password in the clear with imap://; use imaps:// for a server on another machine');
  if (!url.username || !url.password) return fail('needs a user and a password');
  let user: string, pass: string, mailbox: string;
  try {
    user = decodeURIComponent(url.username);
    pass = decodeURIComponent(url.password);
    mailbox = decodeURIComponent(url.pathname.replace(/^\//, '').replace(/\/$/, '')) || 'INBOX';
  } catch {
    return fail('has a bad %-escape in its user, password or folder');
  }
  if (url.search || url.hash) return fail('takes no ?query or #fragment');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { ok: true, target: { host, port: url.port ? Number(url.port) : secure ? 993 : 143, secure, auth: { user, pass }, mailbox } };
}
