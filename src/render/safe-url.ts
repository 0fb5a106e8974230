import { startsWithSubscriberData } from './merge-tags.ts';

/** Schemes a link may use; anything else (javascript:, data:, vbscript:, file:, …) is removed. */
const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);
const IMAGE_SCHEMES = new Set(['http', 'https']);

export type UrlVerdict = 'ok' | 'unsafe';

/**
 * Decides whether a (decoded) URL may stay in the email. Browsers ignore ASCII whitespace and control characters
 * inside a scheme (`java\tscript:`), so they are removed before the scheme is read; the comparison ignores case.
 * Relative URLs are kept; protocol-relative ones (`//host`) are not, since email clients resolve them unpredictably.
 * Nor is a URL that starts with a subscriber's name or email, which would let subscriber data pick the scheme.
 */
export function checkUrl(url: string, kind: 'link' | 'image'): UrlVerdict {
  // Percent-encoded controls go too (markdown-it writes `java&#x09;script:` as `java%09script:`; some clients decode it).
  // eslint-disable-next-line no-control-regex -- control characters are exactly what browsers skip in a scheme
  const compact = url.replace(/[\u0000-\u0020\u007f-\u009f]+|%(?:[01][0-9a-f]|20|7f)/gi, '');
  if (startsWithSubscriberData(compact)) return 'unsafe';
  if (compact.startsWith('//') || compact.startsWith('\\\\') || compact.startsWith('/\\')) return 'unsafe';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact);
  if (!scheme) return 'ok';
  const allowed = kind === 'link' ? LINK_SCHEMES : IMAGE_SCHEMES;
  return allowed.has(scheme[1]!.toLowerCase()) ? 'ok' : 'unsafe';
}
