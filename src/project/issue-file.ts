import { join } from 'node:path';
import { diag, DiagnosticError, type Diagnostic } from '../core/diagnostic.ts';
import { textOrThrow } from '../core/read-text.ts';
import { NOT_A_FILE, readFileNoFollowSync, SYMLINK_REFUSED } from '../core/read-no-follow.ts';

/**
 * The text of an issue file (a project path like `issues/x.md`), for every command that reads one (build, check,
 * preview, send). A symbolic link is refused, never followed: it would publish whatever file it points at. The
 * bytes go through the one decoder: bad encoding is a DiagnosticError naming the line of the first bad byte.
 * Synchronous on purpose: for hundreds of small files, awaiting each read in turn costs far more.
 */
export function readIssueFile(root: string, file: string): string {
  return textOrThrow(readFileNoFollowSync(join(root, file)), file);
}

/** The diagnostic for an issue file that could not be read, naming the file and why. */
export function issueReadProblem(file: string, error: unknown): Diagnostic {
  if (error instanceof DiagnosticError && error.diagnostics[0]) return error.diagnostics[0];
  const e = error as NodeJS.ErrnoException;
  const refused = e.message === SYMLINK_REFUSED || e.message === NOT_A_FILE;
  const reason = e.code === 'ENOENT' ? 'no such file' : refused ? `${file} ${e.message}` : e.message;
  return diag(file, 0, 'error', e.message === SYMLINK_REFUSED ? 'build/symlink' : 'build/read', `cannot read the issue: ${reason}`);
}
