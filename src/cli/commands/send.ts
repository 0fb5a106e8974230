import { relative, resolve } from 'node:path';
import { listIssueFiles, readBuildSources } from '../../project/sources.ts';
import { issueReadProblem, readIssueFile } from '../../project/issue-file.ts';
import { DiagnosticError, formatDiagnostic, hasErrors, type Diagnostic } from '../../core/diagnostic.ts';
import { renderForSend } from '../../send/compose/render-for-send.ts';
import type { Environment } from '../../config/environment.ts';
import { runListSend, type ListSendOptions } from './send-list.ts';
import { runTestSend } from './send-test.ts';
import { declaredSlug } from '../../issue/declared-slug.ts';
import { slugFromFileName } from '../../issue/slug.ts';
import { isPlainAddress } from '../../subscribers/email-address.ts';
import { checkImages, imageRefusal } from '../../send/images/check-images.ts';
import { emailImageUrls } from '../../send/images/email-images.ts';
import { parseSendTime } from '../../automation/send-time.ts';

export interface SendCommand {
  root: string;
  /** Where the command was run: a file name given is relative to it. */
  cwd: string;
  /** The issue's file or slug. */
  issue: string;
  /** Addresses for a test send; none sends to the list. */
  test: string[];
  environment: Environment;
  list: ListSendOptions;
  /** `--skip-image-check`: send without asking whether the email's images answer at their published URLs. */
  skipImageCheck?: boolean;
  /** `--at <time>`: schedule the send for then instead (a worker sends it); null to send now. */
  at?: string | null;
}

export type FoundIssue = { file: string; source: string } | { problem: Diagnostic };

/**
 * An issue named by its file (`issues/x.md`) or its slug; a file that cannot be read (a symbolic link, which is
 * never followed) comes back as the diagnostic saying so, when it is the one named.
 */
export async function findIssue(root: string, cwd: string, name: string): Promise<FoundIssue | null> {
  const files = await listIssueFiles(root);
  const asFile = relative(root, resolve(cwd, name));
  const read = (file: string): FoundIssue => {
    try {
      return { file, source: readIssueFile(root, file) };
    } catch (error) {
      return { problem: issueReadProblem(file, error) };
    }
  };
  if (files.includes(asFile)) return read(asFile);
  for (const file of files) {
    const found = read(file);
    const slug = 'source' in found ? declaredSlug(file, found.source) : slugFromFileName(file);
    if (slug === name) return found;
  }
  return null;
}

/**
 * `newsletter send <issue>`: renders the issue (refusing one with errors), then sends a test to the `--test`
 * addresses, or the issue to the whole list through the ledger.
 */
export async function runSend(cmd: SendCommand): Promise<number> {
  const bad = cmd.test.filter((a) => !isPlainAddress(a));
  if (bad.length > 0) {
    process.stderr.write(`newsletter send: not one plain email address: ${bad.map((a) => JSON.stringify(a)).join(', ')}\n`);
    return 2;
  }
  const found = await findIssue(cmd.root, cmd.cwd, cmd.issue);
  if (!found) {
    process.stderr.write(`newsletter send: no issue "${cmd.issue}" (give its file, like issues/2026-10-14-title.md, or its slug)\n`);
    return 2;
  }
  if ('problem' in found) {
    process.stderr.write(`${formatDiagnostic(found.problem)}\nnewsletter send: nothing sent\n`);
    return 1;
  }
  let issue;
  try {
    issue = await renderForSend(await readBuildSources(cmd.root), found.file, found.source);
  } catch (error) {
    if (!(error instanceof DiagnosticError)) throw error;
    for (const d of error.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    process.stderr.write('newsletter send: the configuration has errors; nothing sent\n');
    return 1;
  }
  if (issue.html === null || issue.text === null || hasErrors(issue.diagnostics)) {
    for (const d of issue.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    process.stderr.write(`newsletter send: ${found.file} has errors; nothing sent\n`);
    return 1;
  }
  if (cmd.test.length > 0) return runTestSend({ root: cmd.root, environment: cmd.environment, issue, addresses: cmd.test });
  let at: number | null = null;
  if (cmd.at !== undefined && cmd.at !== null) {
    const parsed = parseSendTime(cmd.at, issue.config.timezone);
    if ('problem' in parsed) {
      process.stderr.write(`newsletter send: --at ${JSON.stringify(cmd.at)}: ${parsed.problem}\nnewsletter send: nothing scheduled\n`);
      return 2;
    }
    at = parsed.at;
  }
  // Before anything is planned: an email whose images are not published yet would reach every reader broken.
  if (!cmd.skipImageCheck) {
    const urls = emailImageUrls(issue.html);
    if (urls.length > 0) process.stderr.write(`Checking the email's ${urls.length} image${urls.length === 1 ? '' : 's'} at ${urls.length === 1 ? 'its' : 'their'} published URL${urls.length === 1 ? '' : 's'}…\n`);
    const refusal = imageRefusal(await checkImages(urls));
    if (refusal) {
      process.stderr.write(`newsletter send: ${refusal}\nnewsletter send: nothing sent\n`);
      return 1;
    }
  }
  if (at !== null) {
    const { runScheduleSend } = await import('./send-schedule.ts');
    return runScheduleSend({ root: cmd.root, environment: cmd.environment, issue, at, segment: cmd.list.segment ?? null, yes: cmd.list.yes, dryRun: cmd.list.dryRun });
  }
  return runListSend({ ...cmd.list, root: cmd.root, environment: cmd.environment, issue });
}
