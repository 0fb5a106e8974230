/**
 * MJML with strict validation (HOSTILE-INPUTS item 9): an unknown MJML tag or an illegal attribute in a layout or a
 * partial is a build error that names the template file and the line to fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBuildSources } from '../../src/project/sources.ts';
import { setupFromSources } from '../../src/project/setup.ts';
import { formatDiagnostic } from '../../src/core/diagnostic.ts';
import { parseIssue } from '../../src/issue/parse.ts';
import { locateInTemplates, mjmlToHtml } from '../../src/render/mjml-to-html.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import type { TemplateFile } from '../../src/render/template-sources.ts';
import { editFile, issueText, projectFor } from '../support/fixtures.ts';

const ISSUE = 'issues/2026-10-14-test.md';
const LAYOUT = 'templates/layouts/newsletter.mjml.hbs';


/** The line of `needle` in a template of the temp project, so the expectations follow the file, not a guess. */
function lineOf(dir: string, file: string, needle: string): number {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  assert.ok(index !== -1, `${needle} not in ${file}`);
  return index + 1;
}

async function renderInProject(dir: string, body = 'A first paragraph for the preheader.', fields?: string) {
  const setup = setupFromSources(await readBuildSources(dir));
  const parsed = parseIssue(ISSUE, issueText(body, fields), { author: setup.config.author.name, layout: setup.config.layout });
  assert.deepEqual(parsed.diagnostics, []);
  return renderIssue(parsed.issue!, setup.config, setup.templates);
}

async function mjmlErrors(dir: string, body?: string, fields?: string) {
  const rendered = await renderInProject(dir, body, fields);
  assert.equal(rendered.html, null, 'an MJML error stops the render');
  assert.equal(rendered.text, null);
  assert.equal(rendered.sample, null);
  const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) {
    assert.doesNotMatch(formatDiagnostic(d), /\/tmp\b/);
    assert.ok(!formatDiagnostic(d).includes(dir));
  }
  return errors;
}

test('the unmodified templates render without MJML errors', async (t) => {
  const rendered = await renderInProject(projectFor(t));
  assert.ok(rendered.html);
  assert.deepEqual(rendered.diagnostics, []);
});

test('an unknown MJML tag (<mj-colum>) in the layout names the layout and its line', async (t) => {
  const dir = projectFor(t);
  editFile(dir, LAYOUT, '<mj-column>\n        {{{body}}}\n      </mj-column>', '<mj-colum>\n        {{{body}}}\n      </mj-colum>');
  const errors = await mjmlErrors(dir);
  assert.ok(errors.length >= 1);
  for (const d of errors) {
    assert.equal(d.file, LAYOUT);
    assert.equal(d.line, lineOf(dir, LAYOUT, '<mj-colum>'));
    assert.equal(d.rule, 'mjml/invalid');
    assert.match(d.message, /mj-colum/);
  }
});

test('an illegal attribute (<mj-text foo="bar">) in the layout names the layout and its line', async (t) => {
  const dir = projectFor(t);
  editFile(dir, LAYOUT, '<mj-text padding="0 0 10px"', '<mj-text foo="bar" padding="0 0 10px"');
  const errors = await mjmlErrors(dir);
  assert.deepEqual(errors.map((d) => `${d.file}:${d.line} ${d.rule}`), [`${LAYOUT}:${lineOf(dir, LAYOUT, 'foo="bar"')} mjml/invalid`]);
  assert.match(errors[0]!.message, /foo/);
  assert.match(errors[0]!.message, /mj-text/);
});

test('an unknown MJML tag in a partial names the partial and its line, not the layout', async (t) => {
  const dir = projectFor(t);
  const file = 'templates/partials/footer.mjml.hbs';
  editFile(dir, file, '<mj-column>\n    <mj-text align="center"', '<mj-colum>\n    <mj-text align="center"');
  editFile(dir, file, '</mj-column>', '</mj-colum>');
  const errors = await mjmlErrors(dir);
  assert.ok(errors.length >= 1);
  for (const d of errors) assert.equal(`${d.file}:${d.line}`, `${file}:${lineOf(dir, file, '<mj-colum>')}`);
});

test('an illegal attribute on a new line in a partial names the partial and that line', async (t) => {
  const dir = projectFor(t);
  const file = 'templates/partials/footer.mjml.hbs';
  editFile(dir, file, '  <mj-column>\n', '  <mj-column>\n    <mj-text foo="bar">Hello</mj-text>\n');
  const errors = await mjmlErrors(dir);
  assert.deepEqual(errors.map((d) => `${d.file}:${d.line}`), [`${file}:3`]);
  assert.match(errors[0]!.message, /foo/);
});

test('an illegal attribute on a line with {{fields}} in a partial is matched through the fields', async (t) => {
  const dir = projectFor(t);
  const file = 'templates/partials/byline.mjml.hbs';
  editFile(dir, file, '<mj-text css-class="nl-muted" padding="0 0 8px"', '<mj-text data-x="{{issue.slug}}" padding="0 0 8px"');
  const errors = await mjmlErrors(dir);
  assert.deepEqual(errors.map((d) => `${d.file}:${d.line}`), [`${file}:1`]);
});

test('an error in a conditional partial (bio) is located when the partial is rendered', async (t) => {
  const dir = projectFor(t);
  const file = 'templates/partials/bio.mjml.hbs';
  editFile(dir, file, '<mj-divider border-width="1px"', '<mj-divider bogus="1" border-width="1px"');
  const errors = await mjmlErrors(dir);
  assert.deepEqual(errors.map((d) => `${d.file}:${d.line}`), [`${file}:${lineOf(dir, file, 'bogus="1"')}`]);
});

test('errors in a layout and a partial at once are each located in their own file', async (t) => {
  const dir = projectFor(t);
  editFile(dir, LAYOUT, '<mj-text padding="0 0 10px"', '<mj-text foo="bar" padding="0 0 10px"');
  editFile(dir, 'templates/partials/footer.mjml.hbs', '  <mj-column>\n', '  <mj-column>\n    <mj-texte>Hi</mj-texte>\n');
  const errors = await mjmlErrors(dir);
  const where = new Set(errors.map((d) => `${d.file}:${d.line}`));
  assert.deepEqual([...where].sort(), [`${LAYOUT}:7`, 'templates/partials/footer.mjml.hbs:3']);
});

test('mjmlToHtml refuses MJML that still holds an mj-include, whatever its case', async () => {
  for (const tag of ['<mj-include path="/etc/passwd" />', '<MJ-Include path="../x.mjml"/>']) {
    const mjml = `<mjml><mj-body><mj-section><mj-column><mj-text>x</mj-text></mj-column></mj-section>${tag}</mj-body></mjml>`;
    const result = await mjmlToHtml(mjml, [], LAYOUT);
    assert.equal(result.html, null);
    assert.deepEqual(result.diagnostics.map((d) => `${d.file} ${d.severity} ${d.rule}`), [`${LAYOUT} error mjml/include`]);
  }
});

test('mjmlToHtml returns HTML and no diagnostics for valid MJML', async () => {
  const result = await mjmlToHtml('<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>', [], LAYOUT);
  assert.deepEqual(result.diagnostics, []);
  assert.match(result.html ?? '', /Hi/);
});

test('locateInTemplates reads {{…}} as wildcards and gives 1-based lines', () => {
  const templates: TemplateFile[] = [
    { file: 'templates/layouts/a.mjml.hbs', source: '<mjml>\n  <mj-body>\n    <mj-text color="{{theme.colors.text}}">{{issue.title}}</mj-text>\n' },
    { file: 'templates/partials/b.mjml.hbs', source: '<mj-section>\n  <mj-image src="{{{issue.image.src}}}" alt="{{issue.image.alt}}" bad="1" />\n' },
  ];
  assert.deepEqual(locateInTemplates('    <mj-text color="#111">A title</mj-text>', templates), { file: 'templates/layouts/a.mjml.hbs', line: 3 });
  assert.deepEqual(locateInTemplates('<mj-image src="https://x/y.png" alt="A dog" bad="1" />', templates), { file: 'templates/partials/b.mjml.hbs', line: 2 });
  assert.equal(locateInTemplates('<mj-text color="#111" other="x">', templates), null);
  assert.equal(locateInTemplates('   ', templates), null);
});
