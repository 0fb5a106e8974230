/**
 * `npm run bench:preview`: from saving an issue to the new email being served, over 20 edits of a 1,700-word issue,
 * next to the time of one full render of that issue measured in the same run.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readBuildSources } from '../src/project/sources.ts';
import { setupFromSources } from '../src/project/setup.ts';
import { parseIssue } from '../src/issue/parse.ts';
import { startPreview } from '../src/preview/server.ts';
import { renderIssue } from '../src/render/render-issue.ts';
import { generateIssue } from './generate-issue.ts';

const root = resolve(import.meta.dirname, '..');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const EDITS = 20;

const dir = mkdtempSync(join(tmpdir(), 'nl-bench-preview-'));
cpSync(join(root, 'templates'), join(dir, 'templates'), { recursive: true });
cpSync(join(root, 'newsletter.yaml'), join(dir, 'newsletter.yaml'));
mkdirSync(join(dir, 'issues'));
const file = join(dir, 'issues', '2026-10-14-synthetic.md');
const source = generateIssue(1);
writeFileSync(file, source);

// One full render of the same issue, in this process, for scale.
const setup = setupFromSources(await readBuildSources(dir));
const renders: number[] = [];
for (let i = 0; i < 30; i++) {
  const t = performance.now();
  const parsed = parseIssue('issues/2026-10-14-synthetic.md', source, { author: setup.config.author.name, layout: setup.config.layout });
  await renderIssue(parsed.issue!, setup.config, setup.templates);
  renders.push(performance.now() - t);
}

const preview = await startPreview({ root: dir, port: 0, host: '127.0.0.1', smtpPort: null });
const slug = 'synthetic';
await fetch(`${preview.url}issues/${slug}`).then((r) => r.text());

// Listen as an open page does; each change event is followed by the page's fetch of the new email.
const response = await fetch(`${preview.url}events?slug=${slug}`);
const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
let buffer = '';
async function nextEvent(name: string): Promise<void> {
  for (;;) {
    const end = buffer.indexOf('\n\n');
    if (end !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (event.includes(`event: ${name}`)) return;
      continue;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error('the event stream ended');
    buffer += value;
  }
}
await nextEvent('ready');

const latencies: number[] = [];
for (let i = 0; i < EDITS; i++) {
  const marker = `Edit number ${i} lands here.`;
  const started = performance.now();
  writeFileSync(file, source.replace('Thanks for reading', `${marker} Thanks for reading`));
  await nextEvent('change');
  const html = await fetch(`${preview.url}issues/${slug}/email.html`).then((r) => r.text());
  latencies.push(performance.now() - started);
  if (!html.includes(marker)) throw new Error(`edit ${i} was not in the served email`);
  await new Promise((r) => setTimeout(r, 50));
}
await reader.cancel();
await preview.close();
rmSync(dir, { recursive: true, force: true });

const med = median(latencies);
const worst = Math.max(...latencies);
const render = median(renders);
const ok = med < 50;
console.log(`Issue: 1,700 generated words; ${EDITS} edits; Node ${process.version}\n`);
console.log(
  `${ok ? 'PASS' : 'FAIL'}  save to update: ${med.toFixed(1)} ms median, ${worst.toFixed(1)} ms worst (target: median < 50 ms); one full render ${render.toFixed(1)} ms (median of 30), so the preview adds ${(med - render).toFixed(1)} ms: the watcher's settling time, the event and the fetch`,
);
process.exitCode = ok ? 0 : 1;
