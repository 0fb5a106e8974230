import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeText, encodingDiagnostic } from './decode-text.ts';
import { DiagnosticError } from './diagnostic.ts';

/** Decoded text, or a DiagnosticError naming `file` (the project path) and the line of the first bad byte. */
export function textOrThrow(bytes: Uint8Array, file: string): string {
  const decoded = decodeText(bytes, file);
  if (!decoded.ok) throw new DiagnosticError([encodingDiagnostic(file, decoded.problem)]);
  return decoded.text;
}

/**
 * Reads a text file through the one decoder. File system errors (ENOENT…) are thrown as they are; bad encoding as
 * a DiagnosticError with `file`, its display path.
 */
export async function readTextFile(path: string, file: string): Promise<string> {
  return textOrThrow(await readFile(path), file);
}

/** {@link readTextFile}, synchronously: for many small files read in a row, where awaiting each costs more. */
export function readTextFileSync(path: string, file: string): string {
  return textOrThrow(readFileSync(path), file);
}
