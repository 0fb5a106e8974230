import { parentPort, workerData } from 'node:worker_threads';
import { parseIssue, renderIssue, setupFromSources } from '../../project/render-stack.ts';
import type { BuildSources } from '../../project/setup.ts';
import type { IssueForSend } from './issue-for-send.ts';

/** Renders one issue for `newsletter send` and posts what sending needs (see render-for-send.ts). */
const { sources, file, source } = workerData as { sources: BuildSources; file: string; source: string };

async function run(): Promise<void> {
  try {
    const { config, templates, files } = setupFromSources(sources);
    const parsed = parseIssue(file, source, { author: config.author.name, layout: config.layout });
    const rendered = parsed.issue ? await renderIssue(parsed.issue, config, templates, files) : null;
    const result: IssueForSend = {
      config,
      file,
      title: parsed.issue?.title ?? '',
      slug: parsed.issue?.slug ?? '',
      status: parsed.issue?.status ?? 'draft',
      subject: rendered?.subject ?? '',
      html: rendered?.html ?? null,
      text: rendered?.text ?? null,
      placeholderPrefix: rendered?.placeholders.prefix ?? '',
      segment: parsed.issue && parsed.issue.segment !== null ? { value: parsed.issue.segment, line: parsed.issue.lines.segment ?? 1 } : null,
      topic: parsed.issue && parsed.issue.topic !== null ? { id: parsed.issue.topic, line: parsed.issue.lines.topic ?? 1 } : null,
      diagnostics: [...parsed.diagnostics, ...(rendered?.diagnostics ?? [])],
    };
    parentPort!.postMessage({ ok: true, result });
  } catch (error) {
    // A config error carries its diagnostics; anything else is reported with its message.
    const diagnostics = (error as { diagnostics?: unknown }).diagnostics;
    parentPort!.postMessage({ ok: false, message: (error as Error).message, diagnostics: Array.isArray(diagnostics) ? diagnostics : null });
  }
}

void run();
