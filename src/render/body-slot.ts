import { bodyText, type TextPiece } from './body-text.ts';
import type { Placeholders } from './merge-tags.ts';
import { spliceText } from './text.ts';

/**
 * The email's MJML with the body cut out and a marker in its place: the layout as the writer's templates made it.
 * The body was built here from Markdown tokens, so its plain text can come from those instead of from parsing its
 * HTML back out of the MJML.
 */
export interface BodySlot {
  /** The MJML with `<mj-image alt="{word}"></mj-image>` where the body was. */
  layout: string;
  /** The marker's alt text: a nonce word, in no template or issue. */
  word: string;
}

/** Null when the layout does not hold the body exactly once, as it is (a layout that escapes or repeats it). */
export function cutBody(mjml: string, bodyMjml: string, placeholders: Placeholders): BodySlot | null {
  if (bodyMjml === '') return null;
  const at = mjml.indexOf(bodyMjml);
  if (at === -1 || mjml.indexOf(bodyMjml, at + 1) !== -1) return null;
  const word = `${placeholders.prefix}bodyz`;
  return { layout: `${mjml.slice(0, at)}<mj-image alt="${word}"></mj-image>${mjml.slice(at + bodyMjml.length)}`, word };
}

/**
 * The plain text with the body's part built from its tokens (body-text.ts) and html-to-text reading only the layout:
 * the same text as html-to-text over the whole MJML, without parsing the body's HTML a second time. Null when that
 * cannot be done (see spliceText); the caller converts the whole MJML instead.
 */
export function textFromTokens(slot: BodySlot, pieces: readonly TextPiece[]): string | null {
  const body = bodyText(pieces);
  if (body.text === '') return null;
  return spliceText(slot.layout, slot.word, body);
}
