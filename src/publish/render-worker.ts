import { parentPort, workerData } from 'node:worker_threads';
import { writeIssueOutputs } from './outputs.ts';
import { buildIssue, setupFromSources } from '../project/render-stack.ts';
import type { BuildSetup, WorkItem, WorkResult } from '../project/setup.ts';

/** Renders and writes the issues the main thread hands over, one message at a time. */
const setup: BuildSetup = setupFromSources(workerData as BuildSetup['sources']);

parentPort!.on('message', async (item: WorkItem) => {
  let result: WorkResult;
  try {
    const built = await buildIssue(item.file, item.source, setup.config, setup.templates, setup.files);
    if (built.outputs && built.slug) await writeIssueOutputs(item.outDir, built.slug, built.outputs, built.webPage, built.assets, setup.sources.root);
    result = { file: item.file, slug: built.slug, ok: built.ok, diagnostics: built.diagnostics };
  } catch (error) {
    result = { file: item.file, slug: null, ok: false, diagnostics: [], crash: (error as Error).stack ?? String(error) };
  }
  parentPort!.postMessage(result);
});
