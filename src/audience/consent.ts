/**
 * Consent on record for a sign-up (issue 16): the page the form was on, and the client's address as `privacy.ip`
 * says to keep it. Pure, so the server only gathers the request's parts.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpPolicy = 'full' | 'truncated' | 'none';

/** Longest page URL kept: a real page's address is far shorter, and the row should not hold whatever a bot posts. */
const PAGE_MAX = 2000;

/**
 * The client address to keep: whole, its network (IPv4 /24 as `203.0.113.0/24`, IPv6 /48 as `2001:db8:1::/48`;
 * an IPv4-mapped IPv6 address counts as IPv4), or nothing. Null for anything that is not an IP address (an
 * in-process request has none).
 */
export function keptIp(address: string, policy: IpPolicy): string | null {
  if (policy === 'none') return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address.toLowerCase();
  if (isIPv4(ip)) return policy === 'full' ? ip : `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(ip)) return null;
  if (policy === 'full') return ip;
  const groups = expandIPv6(ip).slice(0, 3).map((g) => g.replace(/^0+(?=.)/, ''));
  // Trailing zero groups folded into `::`, as an address is usually written.
  while (groups.length > 0 && groups.at(-1) === '0') groups.pop();
  return `${groups.join(':')}::/48`;
}

/** The eight groups of an IPv6 address (one `isIPv6` accepts), `::` expanded; an embedded IPv4 tail as two groups. */
function expandIPv6(ip: string): string[] {
  let text = ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  if (tail === undefined) return left;
  const right = tail ? tail.split(':') : [];
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
}

/**
 * The page a sign-up came from: the form's own `page` field, else the Referer, each only when it is under the
 * newsletter's `url` (its origin, and its path or below), so that a post from elsewhere records no page of ours.
 * Kept without its query and fragment (which can carry a visitor's details); null when neither will do.
 */
export function consentPage(candidates: readonly (string | undefined)[], url: string): string | null {
  const base = new URL(url);
  const basePath = base.pathname.replace(/\/+$/, '');
  for (const candidate of candidates) {
    if (!candidate || candidate.length > PAGE_MAX) continue;
    let page: URL;
    try {
      page = new URL(candidate);
    } catch {
      continue;
    }
    if (page.origin !== base.origin) continue;
    if (page.pathname !== basePath && !page.pathname.startsWith(`${basePath}/`)) continue;
    page.search = '';
    page.hash = '';
    return page.href;
  }
  return null;
}
