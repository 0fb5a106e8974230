import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { listIssueFiles, readBuildSources } from '../../build/build.ts';
import { decodeText, encodingDiagnostic } from '../../core/decode-text.ts';
import { DiagnosticError, formatDiagnostic, hasErrors, type Diagnostic } from '../../core/diagnostic.ts';
import { renderForSend } from '../../send/render-for-send.ts';
import { runListSend, type ListSendOptions } from './send-list.ts';
import { runTestSend } from './send-test.ts';

export interface SendCommand {
  root: string;
  /** Where the command was run: a file name given is relative to it. */
  cwd: string;
  /** The issue's file or slug. */
  issue: string;
  /** Addresses for a test send; none sends to the list. */
  test: string[];
  env: NodeJS.ProcessEnv;
  list: ListSendOptions;
}

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

type Found = { file: string; source: string } | { file: string; unreadable: Diagnostic };

async function readIssue(root: string, file: string): Promise<Found & { slugText: string }> {
  const bytes = await readFile(join(root, file));
  const decoded = decodeText(bytes, file);
  // A file that is not UTF-8 can still be the one named by its slug: look for the slug in a lossy reading of it.
  if (!decoded.ok) return { file, unreadable: encodingDiagnostic(file, decoded.problem), slugText: bytes.toString('utf8') };
  return { file, source: decoded.text, slugText: decoded.text };
}

/** An issue named by its file (`issues/x.md`) or its slug. */
async function findIssue(root: string, cwd: string, name: string): Promise<Found | null> {
  const files = await listIssueFiles(root);
  const asFile = relative(root, resolve(cwd, name));
  if (files.includes(asFile)) return readIssue(root, asFile);
  for (const file of files) {
    const found = await readIssue(root, file);
    const slug = /^slug:\s*(\S+)\s*$/m.exec(found.slugText)?.[1] ?? file.replace(/^issues\//, '').replace(/\.md$/, '').replace(/^\d{4}-\d{2}-\d{2}-/, '');
    if (slug === name) return found;
  }
  return null;
}

/**
 * `newsletter send <issue>`: renders the issue (refusing one with errors), then sends a test to the `--test`
 * addresses, or the issue to the whole list through the ledger.
 */
export async function runSend(cmd: SendCommand): Promise<number> {
  const bad = cmd.test.filter((a) => !ADDRESS.test(a));
  if (bad.length > 0) {
    process.stderr.write(`newsletter send: not one plain email address: ${bad.map((a) => JSON.stringify(a)).join(', ')}\n`);
    return 2;
  }
  const found = await findIssue(cmd.root, cmd.cwd, cmd.issue);
  if (!found) {
    process.stderr.write(`newsletter send: no issue "${cmd.issue}" (give its file, like issues/2026-10-14-title.md, or its slug)\n`);
    return 2;
  }
  if ('unreadable' in found) {
    process.stderr.write(`${formatDiagnostic(found.unreadable)}\nnewsletter send: ${found.file} is not UTF-8 text; nothing sent\n`);
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
  if (cmd.test.length > 0) return runTestSend({ root: cmd.root, env: cmd.env, issue, addresses: cmd.test });
  return runListSend({ ...cmd.list, root: cmd.root, env: cmd.env, issue });
}
