import sanitizeHtml from 'sanitize-html';
import type { BodyStyles } from './body-styles.ts';
import { checkUrl } from './safe-url.ts';

/** What the writer's HTML may contain. Everything else is removed: scripts, frames, forms, styles, handlers. */
const ALLOWED_TAGS = [
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'a', 'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins',
  'sub', 'sup', 'small', 'mark', 'abbr', 'cite', 'q', 'code', 'pre', 'kbd', 'blockquote', 'ul', 'ol', 'li', 'dl',
  'dt', 'dd', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'img', 'span', 'div',
];

/** Dropped together with their content, not unwrapped. */
export const DROP_WITH_CONTENT = [
  'script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'template',
  'title', 'head', 'xmp', 'noembed', 'noframes', 'frameset', 'frame', 'applet',
];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title', 'style'],
  img: ['src', 'alt', 'title', 'width', 'height', 'style'],
  th: ['colspan', 'rowspan', 'align', 'scope', 'style'],
  td: ['colspan', 'rowspan', 'align', 'style'],
  ol: ['start', 'style'],
  abbr: ['title'],
  '*': ['style'],
};

export interface SanitizeHooks {
  /** Source line of the innermost block being read, from the Markdown renderer's markers. */
  onLine(line: number): void;
  onLink(href: string | undefined, removed: boolean): void;
  /** May return the URL to use instead (a local image's absolute URL). */
  onImage(src: string | undefined, alt: string | undefined, removed: boolean): string | void;
  onElement(name: string): void;
}

/**
 * Sanitises one run of rendered Markdown and styles it from the theme in the same pass. Writers' own `style`
 * attributes never survive: every element's style is replaced by the theme's (or removed).
 */
export function sanitizeBody(html: string, styles: BodyStyles, hooks: SanitizeHooks): string {
  const transform = (tagName: string, attribs: sanitizeHtml.Attributes) => {
    const line = attribs['data-nl-line'];
    if (line !== undefined) {
      const n = Number(line);
      if (Number.isInteger(n)) hooks.onLine(n);
    }
    hooks.onElement(tagName);
    const out: sanitizeHtml.Attributes = {};
    for (const [name, value] of Object.entries(attribs)) {
      if (name !== 'style' && name !== 'data-nl-line' && !name.startsWith('on')) out[name] = value;
    }
    if (tagName === 'a') {
      const href = out.href;
      const removed = href !== undefined && checkUrl(href, 'link') === 'unsafe';
      if (removed) delete out.href;
      hooks.onLink(href, removed);
    } else if (tagName === 'img') {
      const src = out.src;
      const removed = src !== undefined && checkUrl(src, 'image') === 'unsafe';
      if (removed) delete out.src;
      const replacement = hooks.onImage(src, out.alt, removed);
      if (typeof replacement === 'string') out.src = replacement;
    }
    const style = styles[tagName];
    if (style) out.style = style;
    return { tagName, attribs: out };
  };
  const transformTags: Record<string, typeof transform> = {};
  for (const tag of ALLOWED_TAGS) transformTags[tag] = transform;
  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    nonTextTags: DROP_WITH_CONTENT,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    allowVulnerableTags: false,
    // Styles come from the theme only (set above), so they need no CSS parse here.
    parseStyleAttributes: false,
    transformTags,
  });
}
