/** Words a minute for reading time; the convention Medium and most newsletter tools use. */
export const WORDS_PER_MINUTE = 265;

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 160 || (code >= 0x2000 && code <= 0x200a) || code === 0x3000;
}

function isWordCharacter(code: number, text: string, at: number): boolean {
  if (code < 128) return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122);
  return WORD_CHARACTER.test(text[at]!);
}

/**
 * Whitespace-separated runs with at least one letter or digit: "—" and "·" are not words, "2026" and "Громада" are.
 * A character loop: this runs on every render, and splitting the text into strings costs more than the counting.
 */
export function countWords(text: string): number {
  let count = 0;
  let inRun = false;
  let counted = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      inRun = false;
      continue;
    }
    if (!inRun) {
      inRun = true;
      counted = false;
    }
    if (!counted && isWordCharacter(code, text, i)) {
      count++;
      counted = true;
    }
  }
  return count;
}

/** Whole minutes, rounded up, never below one: 1,666 words read in 7 minutes. */
export function readingMinutes(words: number): number {
  return Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
}
