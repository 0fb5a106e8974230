const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&lt;': '<', '&gt;': '>' };
const decode = (value: string) => value.replace(/&(?:amp|quot|#39|#x27|lt|gt);/g, (e) => ENTITIES[e]!);

/**
 * Every image the email's HTML makes a mail client fetch: `<img src>`, `background` attributes (MJML's hero and
 * sections) and CSS `url(…)`, http and https only (a `data:` or `cid:` image travels inside the message), each once,
 * in order of appearance.
 */
export function emailImageUrls(html: string): string[] {
  const found = new Set<string>();
  const add = (raw: string) => {
    const url = decode(raw.trim());
    if (/^https?:\/\//i.test(url)) found.add(url);
  };
  for (const m of html.matchAll(/<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) add(m[1] ?? m[2] ?? m[3] ?? '');
  for (const m of html.matchAll(/<[a-z][^>]*?\sbackground\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) add(m[1] ?? m[2] ?? '');
  for (const m of html.matchAll(/url\(\s*(?:&quot;|["'])?(https?:[^"')\s]+?)(?:&quot;|["'])?\s*\)/gi)) add(m[1] ?? '');
  return [...found];
}
