/** Roughly what inbox list views show next to the subject. */
export const PREHEADER_LENGTH = 120;

/** The start of the text, about 120 characters, cut at a word boundary. */
export function defaultPreheader(text: string, limit = PREHEADER_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit + 1);
  const lastSpace = cut.lastIndexOf(' ');
  const words = (lastSpace > limit / 2 ? cut.slice(0, lastSpace) : flat.slice(0, limit)).replace(/[\s,;:.–—-]+$/u, '');
  return `${words}…`;
}
