/**
 * `npm run bench:render`: the render pipeline's figures, each next to a baseline measured in the same run (these
 * machines are noisy, so ratios matter more than absolute times). Prints one line per figure with its target.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mjml2html from 'mjml';
import { readBuildSources } from '../src/project/sources.ts';
import { setupFromSources } from '../src/project/setup.ts';
import { parseIssue } from '../src/issue/parse.ts';
import { MJML_OPTIONS } from '../src/render/mjml-to-html.ts';
import { renderIssue } from '../src/render/render-issue.ts';
import { generateIssue } from './generate-issue.ts';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin/newsletter.cjs');
const mjmlBin = join(root, 'node_modules/mjml/bin/mjml');
const results: { name: string; ok: boolean }[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function report(name: string, line: string, ok: boolean): void {
  results.push({ name, ok });
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${line}`);
}

const fmt = (ms: number) => (ms >= 100 ? `${(ms / 1000).toFixed(2)} s` : ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);

/** A throwaway project with the real config and templates, and the given issues. */
function tempProject(issues: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nl-bench-'));
  cpSync(join(root, 'templates'), join(dir, 'templates'), { recursive: true });
  cpSync(join(root, 'newsletter.yaml'), join(dir, 'newsletter.yaml'));
  mkdirSync(join(dir, 'issues'));
  for (const [name, text] of Object.entries(issues)) writeFileSync(join(dir, 'issues', name), text);
  return dir;
}

function wall(command: string, args: string[], cwd: string): number {
  const started = performance.now();
  const run = spawnSync(command, args, { cwd, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
  return elapsed;
}

const setup = setupFromSources(await readBuildSources(root));
const source = generateIssue(1);
const file = 'issues/2026-10-14-synthetic.md';
const render = async () => {
  const parsed = parseIssue(file, source, { author: setup.config.author.name, layout: setup.config.layout });
  return renderIssue(parsed.issue!, setup.config, setup.templates);
};
const first = await render();
if (!first.mjml || !first.recipientTemplate) throw new Error(`the benchmark issue did not render: ${JSON.stringify(first.diagnostics)}`);
const words = first.words;
console.log(`Issue: ${words} words, ${(first.sample!.html.length / 1024).toFixed(1)} KB of HTML, ${first.diagnostics.length} diagnostics; Node ${process.version}\n`);

// Warm, in process: our whole pipeline against mjml2html alone on the same MJML, interleaved.
{
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < 40; i++) {
    await render();
    await mjml2html(first.mjml, MJML_OPTIONS);
  }
  for (let i = 0; i < 300; i++) {
    let t = performance.now();
    await render();
    ours.push(performance.now() - t);
    t = performance.now();
    await mjml2html(first.mjml, MJML_OPTIONS);
    baseline.push(performance.now() - t);
  }
  const ratio = median(ours) / median(baseline);
  // Information, not a target (issue 13): MJML itself is the floor, and no writer feels these milliseconds.
  console.log(`INFO  warm render: parse → HTML + text + diagnostics ${fmt(median(ours))} median vs mjml2html alone ${fmt(median(baseline))}: ${ratio.toFixed(2)}×`);

  // Per subscriber: fill the compiled template for many distinct subscribers.
  const template = first.recipientTemplate;
  const count = 50_000;
  const recipients = Array.from({ length: count }, (_, n) => ({
    name: `Reader ${n} <b>&</b>`,
    email: `reader${n}@example.com`,
    unsubscribeUrl: `https://dissentdesk.example.org/unsubscribe/${n.toString(36)}`,
  }));
  let bytes = 0;
  for (let i = 0; i < 2000; i++) bytes += template.render(recipients[i]!).html.length;
  const t = performance.now();
  for (const r of recipients) {
    const out = template.render(r);
    bytes += out.html.length + out.text.length;
  }
  const per = (performance.now() - t) / count;
  const cheaper = median(ours) / per;
  report('per subscriber', `${fmt(per)} for HTML + text bytes (target ≤ 60 µs); ${cheaper.toFixed(0)}× cheaper than a full render (target ≥ 50×)`, per <= 0.06 && cheaper >= 50);
  if (bytes === 0) throw new Error('nothing rendered');
}

// Cold: the CLI building one issue against the mjml CLI on that issue's MJML, interleaved.
{
  const dir = tempProject({ '2026-10-14-synthetic.md': source });
  writeFileSync(join(dir, 'issue.mjml'), first.mjml);
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < 7; i++) {
    ours.push(wall(process.execPath, [bin, 'build', 'issues/2026-10-14-synthetic.md', '--force'], dir));
    baseline.push(wall(process.execPath, [mjmlBin, 'issue.mjml', '-o', 'issue.html'], dir));
  }
  const ratio = median(ours) / median(baseline);
  report('cold build', `newsletter build of one issue ${fmt(median(ours))} vs mjml CLI ${fmt(median(baseline))}: ${ratio.toFixed(2)}× (target ≤ 1.5×)`, ratio <= 1.5);
  rmSync(dir, { recursive: true, force: true });
}

// 500 issues on both cores, then a rebuild after one changed.
{
  const issues: Record<string, string> = {};
  for (let n = 0; n < 500; n++) {
    const day = String((n % 28) + 1).padStart(2, '0');
    issues[`2026-${String((n % 12) + 1).padStart(2, '0')}-${day}-synthetic-${n}.md`] = generateIssue(n + 2, 1700, `2026-01-${day}`);
  }
  const dir = tempProject(issues);
  const full = wall(process.execPath, [bin, 'build'], dir);
  const built = readFileSync(join(dir, 'dist', 'synthetic-0', 'meta.json'), 'utf8').length > 0;
  report('500 issues', `${fmt(full)} for a full build of 500 issues of ${words} words on both cores (target < 8 s)`, full < 8000 && built);
  const changed = Object.keys(issues)[250]!;
  writeFileSync(join(dir, 'issues', changed), issues[changed]!.replace('benchmarks', 'benchmarks, edited'));
  const rebuild = wall(process.execPath, [bin, 'build'], dir);
  const unchanged = wall(process.execPath, [bin, 'build'], dir);
  report('rebuild', `${fmt(rebuild)} after one of 500 issues changed (target < 0.5 s); ${fmt(unchanged)} with none changed`, rebuild < 500);
  rmSync(dir, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length} of ${results.length} figures within target${failed.length ? `; missed: ${failed.map((f) => f.name).join(', ')}` : ''}`);
process.exitCode = failed.length ? 1 : 0;
