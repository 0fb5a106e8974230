import { relative, resolve } from 'node:path';
import { linkWarnings, listIssueFiles, readBuildSources } from '../../project/sources.ts';
import { issueReadProblem, readIssueFile } from '../../project/issue-file.ts';
import { automationProblems } from '../../project/automation-problems.ts';
import { formatDiagnostic, hasErrors, sortDiagnostics, type Diagnostic } from '../../core/diagnostic.ts';

export interface CheckCommand {
  root: string;
  files: string[];
  json: boolean;
}

/** `newsletter check`: renders every issue in memory and prints each diagnostic once. */
export async function runCheck(cmd: CheckCommand): Promise<number> {
  const { buildIssue, setupFromSources } = await import('../../project/render-stack.ts');
  const sources = await readBuildSources(cmd.root);
  const setup = setupFromSources(sources);
  const files = cmd.files.length > 0 ? cmd.files.map((f) => relative(cmd.root, resolve(cmd.root, f))) : await listIssueFiles(cmd.root);
  const seen = new Set<string>();
  // Sequence steps are checked on every run, even `check <file>`: a step naming a draft blocks the worker's sends.
  const all: Diagnostic[] = [...linkWarnings(sources), ...automationProblems(cmd.root, setup.config, sources.configText)];
  for (const file of files) {
    let found: Diagnostic[];
    try {
      const source = readIssueFile(cmd.root, file);
      found = (await buildIssue(file, source, setup.config, setup.templates, setup.files)).diagnostics;
    } catch (error) {
      found = [issueReadProblem(file, error)];
    }
    // Template diagnostics repeat for every issue using the template; print them once.
    for (const d of found) {
      const key = formatDiagnostic(d);
      if (!seen.has(key)) {
        seen.add(key);
        all.push(d);
      }
    }
  }
  const sorted = sortDiagnostics(all);
  if (cmd.json) {
    process.stdout.write(`${JSON.stringify(sorted, null, 2)}\n`);
  } else {
    for (const d of sorted) process.stdout.write(`${formatDiagnostic(d)}\n`);
    const errors = sorted.filter((d) => d.severity === 'error').length;
    process.stderr.write(`${files.length} issue${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${sorted.length - errors} other${sorted.length - errors === 1 ? '' : 's'}\n`);
  }
  return hasErrors(sorted) ? 1 : 0;
}
