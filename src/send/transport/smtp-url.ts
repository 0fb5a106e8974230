/** What an SMTP URL says: where to connect, how (TLS), as whom; and a description of it that holds no credentials. */
export interface SmtpTarget {
  host: string;
  port: number;
  /** TLS from the first byte (smtps://, or port 465). */
  secure: boolean;
  ignoreTLS: boolean;
  requireTLS: boolean;
  rejectUnauthorized: boolean | undefined;
  auth: { user: string; pass: string } | null;
  /** `smtp://host:port`, never credentials. */
  description: string;
}

function flag(params: URLSearchParams, ...names: string[]): boolean | undefined {
  for (const name of names) {
    const value = params.get(name);
    if (value === null) continue;
    if (['', 'true', '1', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
    throw new Error(`SMTP URL flag ${name}=${value} is neither true nor false`);
  }
  return undefined;
}

/**
 * `smtp[s]://[user[:password]@]host[:port][/?flags]`, user and password percent-encoded. Flags, for local sinks
 * and odd servers: `ignoreTLS` (never STARTTLS), `requireTLS` (STARTTLS or fail), `rejectUnauthorized=false`.
 */
export function parseSmtpUrl(url: string): SmtpTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('the SMTP URL is not a URL; expected smtp://user:password@host:587 or smtps://…');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error(`an SMTP URL starts with smtp:// or smtps://, not ${parsed.protocol}//`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error('the SMTP URL has no host');
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'smtps:' ? 465 : 587;
  const user = decodeURIComponent(parsed.username);
  return {
    host,
    port,
    secure: parsed.protocol === 'smtps:' || port === 465,
    ignoreTLS: flag(parsed.searchParams, 'ignoreTLS') ?? false,
    requireTLS: flag(parsed.searchParams, 'requireTLS') ?? false,
    rejectUnauthorized: flag(parsed.searchParams, 'rejectUnauthorized', 'tls.rejectUnauthorized'),
    auth: user ? { user, pass: decodeURIComponent(parsed.password) } : null,
    description: `${parsed.protocol}//${parsed.hostname}:${port}`,
  };
}
