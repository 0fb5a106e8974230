/** One problem found in an issue, a template or the config, pointing at the file and line to fix. */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Path relative to the project root, never absolute (errors must not leak the machine's layout). */
  file: string;
  /** 1-based line; 0 when the problem is about the whole file. */
  line: number;
  severity: Severity;
  /** Stable rule id, e.g. `front-matter/unknown-key`, `links/http`. */
  rule: string;
  message: string;
  /** The front matter field or config key concerned, when there is one. */
  field?: string;
}

export function diag(
  file: string,
  line: number,
  severity: Severity,
  rule: string,
  message: string,
  field?: string,
): Diagnostic {
  return field === undefined ? { file, line, severity, rule, message } : { file, line, severity, rule, message, field };
}

/** `file:line severity rule message`, the format `newsletter check` prints. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line} ${d.severity} ${d.rule} ${d.message}`;
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error');
}

const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Sorted by file, then line, then severity, so output is stable across runs. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || order[a.severity] - order[b.severity],
  );
}

/** Thrown at the edges for problems that stop a whole command (a bad config, an unreadable template set). */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DiagnosticError';
  }
}
