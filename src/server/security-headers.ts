/**
 * The headers every answer of the public server carries, and its two content security policies: the server's own
 * pages (confirm, unsubscribe, errors) need nothing but their inline style; the archive's pages `build` wrote also
 * show images and post the sign-up form, possibly to another origin (`url`) than the one the reader came through.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** The server's own pages: no images, scripts or fonts; forms post back to this server only. */
export const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The web archive's pages (and its images and feed): images from this server, the configured `url`'s origin (where
 * the pages point at the local images), any https host (remote images in issues) and data: URLs; the inline
 * `<style>` the pages use; and the sign-up form posting back here (the default templates' root-relative action) or
 * to `<url>/subscribe` (a template written for another host). Still no script, frame or plugin.
 */
export function archivePolicy(url: string): string {
  const origin = new URL(url).origin;
  return `default-src 'none'; img-src 'self' ${origin} https: data:; style-src 'unsafe-inline'; form-action 'self' ${origin}; base-uri 'none'; frame-ancestors 'none'`;
}
