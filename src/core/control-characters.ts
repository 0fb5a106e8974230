/**
 * The one rule for control characters in one-line text (titles, subjects, names, config strings, addresses):
 * none at all. CR and LF would start a new email header; NUL and the other C0 controls are not even allowed in XML,
 * so one in a title made `feed.xml` unreadable; TAB too, since headers fold on it and it renders as junk in a title.
 * C1 controls (NEL…) and the Unicode line and paragraph separators count as well: some software breaks lines on them.
 */
export const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029]/u;

const C0_NAMES = [
  'NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'TAB', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US',
];
const OTHER_NAMES: Record<number, string> = { 0x7f: 'DEL', 0x85: 'NEL', 0x2028: 'LINE SEPARATOR', 0x2029: 'PARAGRAPH SEPARATOR' };
/** Characters that end a line (Unicode's mandatory breaks): reported as "a line break". */
const LINE_BREAKS = new Set([0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0x2028, 0x2029]);

export interface ControlCharacter {
  /** e.g. "NUL (U+0000)". */
  name: string;
  /** 1-based position in the text, counted in characters. */
  position: number;
  lineBreak: boolean;
}

/** The first control character in `text`, or null. */
export function findControlCharacter(text: string): ControlCharacter | null {
  const match = CONTROL_CHARACTER.exec(text);
  if (!match) return null;
  const code = match[0].codePointAt(0)!;
  const label = C0_NAMES[code] ?? OTHER_NAMES[code] ?? 'a control character';
  const name = `${label} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return { name, position: [...text.slice(0, match.index)].length + 1, lineBreak: LINE_BREAKS.has(code) };
}

/**
 * Why one-line text is refused, or null: "must be one line (it contains a line break: LF (U+000A) at character 6)",
 * "must not contain control characters: NUL (U+0000) at character 7".
 */
export function controlCharacterProblem(text: string): string | null {
  const found = findControlCharacter(text);
  if (!found) return null;
  const where = `${found.name} at character ${found.position}`;
  if (found.lineBreak) return `must be one line (it contains a line break: ${where})`;
  return `must not contain control characters: ${where}${found.name.startsWith('TAB') ? ' (use a space)' : ''}`;
}
