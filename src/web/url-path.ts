/**
 * The path part of the newsletter's `url`, without its trailing slash: `''` for `https://example.org`, `/news` for
 * `https://example.org/news/`. The archive's own links and the sign-up form use it (root-relative), so that they
 * reach the server the reader came through: `newsletter serve` on this computer as much as the public site. Feeds,
 * canonical links and emails keep the absolute `url`, since they are read from elsewhere.
 */
export function urlPath(url: string): string {
  return new URL(url).pathname.replace(/\/+$/, '');
}

/** `absolute` as a root-relative path when it lies under `url` (same origin, under its path); unchanged otherwise. */
export function underUrlPath(absolute: string, url: string): string {
  const base = new URL(url);
  const target = new URL(absolute, base);
  const prefix = urlPath(url);
  if (target.origin !== base.origin || (target.pathname !== prefix && !target.pathname.startsWith(`${prefix}/`))) return absolute;
  return `${target.pathname}${target.search}${target.hash}`;
}
