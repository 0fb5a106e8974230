/** Shared test fixtures: the real project's config and templates, throwaway projects, and the CLI. */
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readBuildSources } from '../../src/project/sources.ts';
import { setupFromSources, type BuildSetup } from '../../src/project/setup.ts';
import { parseIssue, type ParsedIssue } from '../../src/issue/parse.ts';
import { renderIssue, type RenderedIssue } from '../../src/render/render-issue.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');

let setup: Promise<BuildSetup> | undefined;

/** The repository's own newsletter.yaml and templates/, loaded once per test file. */
export function projectSetup(): Promise<BuildSetup> {
  setup ??= readBuildSources(ROOT).then(setupFromSources);
  return setup;
}

/** A complete issue file: front matter from `fields` (YAML lines) and a body. */
export function issueText(body: string, fields = 'title: A test issue\ndate: 2026-10-14\nstatus: ready'): string {
  return `---\n${fields}\n---\n\n${body}\n`;
}

/** Parses and renders issue text with the project's config and templates. */
export async function render(
  source: string,
  file = 'issues/2026-10-14-test.md',
): Promise<{ parsed: ParsedIssue; rendered: RenderedIssue | null }> {
  const { config, templates } = await projectSetup();
  const parsed = parseIssue(file, source, { author: config.author.name, layout: config.layout });
  const rendered = parsed.issue ? await renderIssue(parsed.issue, config, templates) : null;
  return { parsed, rendered };
}

/** A throwaway project with the real config and templates plus `files` (paths relative to it). */
export function tempProject(files: Record<string, string> = {}): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nl-test-'));
  cpSync(join(ROOT, 'templates'), join(dir, 'templates'), { recursive: true });
  cpSync(join(ROOT, 'newsletter.yaml'), join(dir, 'newsletter.yaml'));
  mkdirSync(join(dir, 'issues'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The repository's sample issues (file names in issues/). */
export const SAMPLES: readonly string[] = readdirSync(join(ROOT, 'issues')).filter((f) => f.endsWith('.md')).sort();

/** A throwaway project holding copies of the sample issues, so tests can edit them freely. */
export function sampleProject(): { dir: string; cleanup: () => void } {
  const files: Record<string, string> = {};
  for (const name of SAMPLES) files[`issues/${name}`] = readFileSync(join(ROOT, 'issues', name), 'utf8');
  return tempProject(files);
}

/** A throwaway project removed when the test ends; its real path, so messages can be checked for it. */
export function projectFor(t: TestContext, files: Record<string, string> = {}): string {
  const p = tempProject(files);
  t.after(p.cleanup);
  return realpathSync(p.dir);
}

/** Replaces `from` with `to` in a project file, failing loudly if the file no longer contains `from`. */
export function editFile(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `${file} no longer contains ${JSON.stringify(from)}`);
  writeFileSync(path, text.replace(from, to));
}

/** Runs the real `newsletter` binary (the bundle in lib/, built by `npm test`) in `cwd`. */
export function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'newsletter.cjs'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
