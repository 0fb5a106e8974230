/**
 * The provider's id for a message, from the server's 250 reply to DATA, so that a webhook event carrying only the
 * provider's id (Postmark's, SendGrid's, SES's) finds its delivery row. The usual forms:
 * - `250 Ok 0100018c3e…-000000` (Amazon SES);
 * - `250 2.0.0 Ok: queued as 4BQ2xK1sR7z9` (Postfix and many relays; SendGrid's X-Message-Id);
 * - `250 2.0.0 <id@host> Queued mail for delivery` and other replies with the id in angle brackets.
 * A reply that names no id (`250 Great success`, `250 OK`) gives null. Pure.
 */
export function providerIdFromReply(reply: string | null | undefined): string | null {
  if (!reply) return null;
  const text = reply.trim().slice(0, 1000);
  if (!/^250[ -]/.test(text)) return null;
  const queued = /\bqueued as\s+<?([^\s<>]{4,200})>?/i.exec(text);
  if (queued) return clean(queued[1]!);
  const bracketed = /<([^\s<>]{4,200})>/.exec(text);
  if (bracketed) return clean(bracketed[1]!);
  // `250 Ok <id>` without brackets: SES's id is the word after Ok, long and made of hex, digits and dashes.
  const ses = /^250[ -](?:\d\.\d\.\d\s+)?ok\s+([0-9a-f][0-9a-f-]{19,199})\s*$/i.exec(text);
  return ses ? clean(ses[1]!) : null;
}

const clean = (id: string) => id.replace(/[.,;]+$/, '');
