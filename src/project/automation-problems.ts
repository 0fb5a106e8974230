import { CONFIG_FILE } from '../config/config-file.ts';
import type { Config } from '../config/schema.ts';
import { diag, type Diagnostic } from '../core/diagnostic.ts';
import { parseYamlDocument } from '../core/yaml-document.ts';
import { parseIssue } from '../issue/parse.ts';
import { readIssueFile } from './issue-file.ts';

/** An issue file's text, or why it could not be read (`ENOENT` for a missing one). */
export type ReadIssue = (file: string) => { source: string } | { error: NodeJS.ErrnoException };

/**
 * The config line of each normalised sequence's steps: the shorthand `automations.welcome` (expanded first) has one
 * line, each `automations.sequences` step its `issue:` line.
 */
function stepLines(config: Config, configText: string | null): (sequence: number, step: number) => number {
  const yaml = parseYamlDocument((configText ?? '').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  const automations = (yaml.value as { automations?: { welcome?: unknown } } | null)?.automations;
  const shorthand = typeof automations?.welcome === 'string' ? 1 : 0;
  return (sequence, step) =>
    sequence < shorthand
      ? yaml.lineOf(['automations', 'welcome'], 1)
      : yaml.lineOf(['automations', 'sequences', sequence - shorthand, 'steps', step, 'issue'], 1);
}

/**
 * Sequence steps that cannot be sent: an issue file that does not exist or cannot be read, or one that is not
 * `status: ready`. Each an error on newsletter.yaml at the step's line. An issue whose front matter does not parse
 * is left to its own diagnostics. Pure: files come through `read`.
 */
export function automationStepProblems(config: Config, configText: string | null, read: ReadIssue): Diagnostic[] {
  const lineOf = stepLines(config, configText);
  const problems: Diagnostic[] = [];
  config.automations.sequences.forEach((sequence, i) => {
    sequence.steps.forEach((step, j) => {
      const line = lineOf(i, j);
      const where = `sequence "${sequence.id}", step ${j + 1}`;
      const file = read(step.issue);
      if ('error' in file) {
        const why = file.error.code === 'ENOENT' ? 'does not exist' : `cannot be read (${file.error.message})`;
        problems.push(diag(CONFIG_FILE, line, 'error', 'automations/missing-issue', `${where}: ${step.issue} ${why}`, 'automations'));
        return;
      }
      const { issue } = parseIssue(step.issue, file.source, { author: config.author.name, layout: config.layout });
      if (issue && issue.status !== 'ready') {
        problems.push(diag(CONFIG_FILE, line, 'error', 'automations/draft-issue', `${where}: ${step.issue} is "status: ${issue.status}"; a sequence sends only ready issues, so set "status: ready" in it`, 'automations'));
      }
    });
  });
  return problems;
}

/** The same, reading the issue files of the project at `root`: for `newsletter check` and the worker. */
export function automationProblems(root: string, config: Config, configText: string | null): Diagnostic[] {
  return automationStepProblems(config, configText, (file) => {
    try {
      return { source: readIssueFile(root, file) };
    } catch (error) {
      return { error: error as NodeJS.ErrnoException };
    }
  });
}
