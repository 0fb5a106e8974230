import { startsWithMergeTag, startsWithSubscriberData } from './merge-tags.ts';

/** Schemes a link may use; anything else (javascript:, data:, vbscript:, file:, …) is removed. */
const LINK_SCHEMES = new Set(['http', 'https', 'mailto']);
const IMAGE_SCHEMES = new Set(['http', 'https']);

export type UrlVerdict = 'ok' | 'unsafe';

/** The URL as a browser reads its scheme: ASCII whitespace and controls, raw or percent-encoded, dropped. */
function compactUrl(url: string): string {
  // Percent-encoded controls go too (markdown-it writes `java&#x09;script:` as `java%09script:`; some clients decode it).
  // eslint-disable-next-line no-control-regex -- control characters are exactly what browsers skip in a scheme
  return url.replace(/[\u0000-\u0020\u007f-\u009f]+|%(?:[01][0-9a-f]|20|7f)/gi, '');
}

/**
 * A URL with no scheme (`../older/`, `/about`, `chart.png`, `example.org`): a web page resolves it against its own
 * address, but an email has none, so no mail client can open it. Empty URLs, in-page anchors (`#x`) and merge tags
 * (`{{unsubscribe_url}}`, an absolute URL once filled in) are not relative in this sense.
 */
export function isRelativeUrl(url: string): boolean {
  const compact = compactUrl(url);
  return compact !== '' && !compact.startsWith('#') && !startsWithMergeTag(compact) && !/^[a-z][a-z0-9+.-]*:/i.test(compact);
}

/**
 * Decides whether a (decoded) URL may stay in the email. Browsers ignore ASCII whitespace and control characters
 * inside a scheme (`java\tscript:`), so they are removed before the scheme is read; the comparison ignores case.
 * Relative URLs are kept here (isRelativeUrl tells them apart, for an error in the email); protocol-relative ones (`//host`) are not, since email clients resolve them unpredictably.
 * Nor is a URL that starts with a subscriber's name or email, which would let subscriber data pick the scheme.
 */
export function checkUrl(url: string, kind: 'link' | 'image'): UrlVerdict {
  const compact = compactUrl(url);
  if (startsWithSubscriberData(compact)) return 'unsafe';
  if (compact.startsWith('//') || compact.startsWith('\\\\') || compact.startsWith('/\\')) return 'unsafe';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact);
  if (!scheme) return 'ok';
  const allowed = kind === 'link' ? LINK_SCHEMES : IMAGE_SCHEMES;
  return allowed.has(scheme[1]!.toLowerCase()) ? 'ok' : 'unsafe';
}
