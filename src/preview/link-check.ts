import { isIP } from 'node:net';

/**
 * The inbox's link check: every link in a received message, each flagged when a reader could not follow it
 * (it points at this computer or a private network) or should not (plain http, or a scheme like javascript:).
 * Pure: the text in, the verdicts out; nothing is fetched.
 */
export type LinkProblem = 'local' | 'private' | 'insecure' | 'unsafe' | 'invalid';

export interface CheckedLink {
  url: string;
  /** Where it was found: the HTML part's hrefs or the text part. */
  part: 'html' | 'text';
  /** null when the link is fine. */
  problem: LinkProblem | null;
}

export const PROBLEM_TEXT: Record<LinkProblem, string> = {
  local: 'points at this computer: no reader can open it',
  private: 'points at a private or link-local address: readers outside that network cannot open it',
  insecure: 'not https: readers get a warning, or nothing',
  unsafe: 'not a web or mail link: mail clients block it',
  invalid: 'not a valid URL',
};

function ipv4(host: string): number[] | null {
  return isIP(host) === 4 ? host.split('.').map(Number) : null;
}

/** The first 16 bits of an IPv6 address (enough for fc00::/7 and fe80::/10); an IPv4-mapped one as its IPv4. */
function ipv6(host: string): { head: number; mapped: number[] | null; loopback: boolean } | null {
  if (isIP(host) !== 6) return null;
  const lower = host.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (mapped) return { head: 0, mapped: ipv4(mapped), loopback: false };
  // new URL() writes a mapped IPv4 address in hex: ::ffff:7f00:1
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1]!, 16), lo = parseInt(hexMapped[2]!, 16);
    return { head: 0, mapped: [hi >> 8, hi & 255, lo >> 8, lo & 255], loopback: false };
  }
  const first = lower.startsWith('::') ? 0 : parseInt(lower.split(':')[0]!, 16);
  return { head: first, mapped: null, loopback: lower === '::1' };
}

function v4Problem([a, b]: number[]): LinkProblem | null {
  if (a === 127 || a === 0) return 'local';
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) return 'private';
  return null;
}

/** What is wrong with one link, or null. */
export function classifyLink(url: string): LinkProblem | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'invalid';
  }
  if (parsed.protocol === 'mailto:') return null;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'unsafe';
  const host = parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  let problem: LinkProblem | null = null;
  if (host === 'localhost' || host.endsWith('.localhost')) problem = 'local';
  const v4 = ipv4(host);
  if (v4) problem = v4Problem(v4);
  const v6 = ipv6(host);
  if (v6) {
    if (v6.mapped) problem = v4Problem(v6.mapped);
    else if (v6.loopback || host === '::') problem = 'local';
    else if ((v6.head & 0xfe00) === 0xfc00 || (v6.head & 0xffc0) === 0xfe80) problem = 'private';
  }
  // Where it points matters more than how: a local http link is first of all local.
  return problem ?? (parsed.protocol === 'http:' ? 'insecure' : null);
}

const decodeEntities = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const lower = e.toLowerCase();
    if (lower === 'amp') return '&';
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    return String.fromCodePoint(lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : Number(lower.slice(1)));
  });

/** The hrefs of an HTML document, in order, entities decoded (a `&amp;` in a query string is an `&`). */
export function htmlLinks(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<(?:a|area)\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
    out.push(decodeEntities((m[1] ?? m[2] ?? m[3] ?? '').trim()));
  }
  return out;
}

/** The URLs written out in a text part: anything with a scheme up to white space or a closing bracket. */
export function textLinks(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:https?|mailto|javascript|data|file|ftp):[^\s<>()[\]"']+/gi)) {
    out.push(m[0].replace(/[.,;:!?]+$/, ''));
  }
  return out;
}

/** Every link of a message, each part's in order, duplicates within a part once. */
export function checkLinks(html: string | null, text: string | null): CheckedLink[] {
  const out: CheckedLink[] = [];
  for (const [part, urls] of [['html', html ? htmlLinks(html) : []], ['text', text ? textLinks(text) : []]] as const) {
    for (const url of new Set(urls)) out.push({ url, part, problem: classifyLink(url) });
  }
  return out;
}
