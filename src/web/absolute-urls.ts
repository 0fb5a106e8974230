import { escapeHtml } from '../core/escape.ts';
import { isRelativeUrl } from '../render/safe-url.ts';

/**
 * A link's or image's URL attribute as the renderer and the sanitiser write them: inside the tag (text and values
 * never hold a raw `<` or `>`), lower-case name, double quotes, value escaped.
 */
const URL_ATTRIBUTE = /(<(?:a|img)\s[^>]*?\b(?:href|src)=")([^"]*)"/g;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };

/**
 * The body's relative links and images resolved against the page's own URL (`<url>/<slug>/`), and in-page anchors
 * (`#part-2`) against it too, so the page, the feed (read from another address) and any copy of the content point
 * where the writer meant. The email refuses relative URLs instead (links/relative, images/relative). Works on the
 * body HTML the renderer made, whose attributes are always double-quoted and escaped; text never holds a raw `<`.
 */
export function absoluteUrls(html: string, pageUrl: string): string {
  return html.replace(URL_ATTRIBUTE, (whole, start: string, value: string) => {
    const url = value.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e]!);
    const anchor = url.trim().startsWith('#') && url.trim() !== '#';
    if (!isRelativeUrl(url) && !anchor) return whole;
    let resolved: string;
    try {
      resolved = new URL(url.trim(), pageUrl).href;
    } catch {
      return whole;
    }
    return `${start}${escapeHtml(resolved)}"`;
  });
}
