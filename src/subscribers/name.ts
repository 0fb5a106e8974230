import { CONTROL_CHARACTER, findControlCharacter } from '../core/control-characters.ts';

/** A subscriber's name is one line of at most this many characters, from every way in. */
export const NAME_MAX = 200;

/**
 * Why a name given by the list's owner (`subscribers add --name`, a CSV import) cannot be stored, or null. Names are
 * data, never trusted, and go into the To header: a control character (CR, LF, TAB, NUL…, the one-line rule of
 * `core/control-characters.ts`) is refused with where it is, since the owner can fix the file and run it again.
 */
export function nameProblem(name: string): string | null {
  const found = findControlCharacter(name);
  if (found) return `the name contains ${found.lineBreak ? 'a line break, ' : ''}${found.name} at character ${found.position}`;
  const length = [...name].length;
  if (length > NAME_MAX) return `the name is ${length} characters; at most ${NAME_MAX}`;
  return null;
}

const CONTROL_RUNS = new RegExp(`${CONTROL_CHARACTER.source}+`, 'gu');

/**
 * A name typed into the public sign-up form, cleaned rather than refused (a reader is shown no field errors, and a
 * stray tab pasted with a name is no reason to lose a subscriber): every run of control characters becomes one space,
 * then trimmed and cut to {@link NAME_MAX} characters. What this returns always passes {@link nameProblem}.
 */
export function cleanFormName(raw: string): string {
  return [...raw.replace(CONTROL_RUNS, ' ').trim()].slice(0, NAME_MAX).join('').trim();
}
