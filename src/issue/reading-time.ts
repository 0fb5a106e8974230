/** Words a minute for reading time; the convention Medium and most newsletter tools use. */
export const WORDS_PER_MINUTE = 265;

const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** Whitespace-separated tokens with at least one letter or digit: "—" and "·" are not words, "2026" is. */
export function countWords(text: string): number {
  let count = 0;
  for (const token of text.split(/\s+/)) if (token !== '' && HAS_WORD_CHARACTER.test(token)) count++;
  return count;
}

/** Whole minutes, rounded up, never below one: 1,666 words read in 7 minutes. */
export function readingMinutes(words: number): number {
  return Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
}
