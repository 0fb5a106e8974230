import { diag, type Diagnostic } from '../core/diagnostic.ts';
import type { Issue } from '../issue/issue.ts';
import { parseSendTime } from './send-time.ts';

/** An issue's `send_at:` with its time resolved in the config's zone; `at` is null when it does not parse. */
export interface ResolvedSendAt {
  value: string;
  line: number;
  at: number | null;
}

/** `send_at:` resolved with `timezone` (the config's), for IssueForSend and the worker; null when the issue has none. */
export function resolveSendAt(issue: Pick<Issue, 'sendAt'>, timezone: string | null): ResolvedSendAt | null {
  if (issue.sendAt === null) return null;
  const parsed = parseSendTime(issue.sendAt.value, timezone);
  return { ...issue.sendAt, at: 'at' in parsed ? parsed.at : null };
}

/** An error at the `send_at:` line when it does not parse, or is a local time and the config has no timezone. */
export function sendAtDiagnostics(issue: Pick<Issue, 'file' | 'sendAt'>, timezone: string | null): Diagnostic[] {
  if (issue.sendAt === null) return [];
  const parsed = parseSendTime(issue.sendAt.value, timezone);
  if ('at' in parsed) return [];
  return [diag(issue.file, issue.sendAt.line, 'error', 'front-matter/send-at', `"send_at": ${parsed.problem}`, 'send_at')];
}
