/**
 * Dark-mode emulations for the preview. Clients darken email in two ways, and a writer needs to see both:
 * - `invert`: the Gmail app and Outlook.com invert the colours of light emails themselves (images are kept);
 * - `media`: Apple Mail applies the email's own `@media (prefers-color-scheme: dark)` rules, if it has any.
 */
export type ColourMode = 'light' | 'invert' | 'media';

export const MODES: readonly { mode: ColourMode; label: string }[] = [
  { mode: 'light', label: 'light' },
  { mode: 'invert', label: 'dark: inverted (Gmail app, Outlook.com)' },
  { mode: 'media', label: 'dark: prefers-color-scheme (Apple Mail)' },
];

const INVERT = 'html{filter:invert(1) hue-rotate(180deg);background:#fff}img,picture,video{filter:invert(1) hue-rotate(180deg)}';

/** The bodies of every `@media` rule whose query asks for a dark colour scheme, in order. */
export function darkRules(html: string): string[] {
  const rules: string[] = [];
  const media = /@media[^{]*prefers-color-scheme\s*:\s*dark[^{]*\{/gi;
  for (let m = media.exec(html); m; m = media.exec(html)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    while (i < html.length && depth > 0) {
      if (html[i] === '{') depth++;
      else if (html[i] === '}') depth--;
      i++;
    }
    rules.push(html.slice(start, i - 1));
    media.lastIndex = i;
  }
  return rules;
}

function injectStyle(html: string, css: string): string {
  const style = `<style data-preview="dark-mode">${css}</style>`;
  const head = html.search(/<\/head>/i);
  return head === -1 ? style + html : html.slice(0, head) + style + html.slice(head);
}

/** The email as a client in `mode` would show it. */
export function emulateColourMode(html: string, mode: ColourMode): string {
  if (mode === 'invert') return injectStyle(html, INVERT);
  if (mode === 'media') return injectStyle(html, `:root{color-scheme:dark}${darkRules(html).join('\n')}`);
  return html;
}
