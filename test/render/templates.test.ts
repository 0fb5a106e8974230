/**
 * Template names and template errors (HOSTILE-INPUTS items 8 and 9, issue 3 "Markdown to email"): layouts and
 * partials resolve only inside templates/, nothing outside it is ever read, and every template error names the
 * template file and line without printing an absolute path.
 */
import { test, mock, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticError, formatDiagnostic, type Diagnostic } from '../../src/core/diagnostic.ts';
import { parseIssue } from '../../src/issue/parse.ts';
import { loadTemplateSources } from '../../src/render/load-templates.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import { TemplateError, TemplateSet } from '../../src/render/templates.ts';
import type { TemplateSources } from '../../src/render/template-sources.ts';
import { readBuildSources } from '../../src/project/sources.ts';
import { setupFromSources } from '../../src/project/setup.ts';
import { editFile, issueText, projectFor, projectSetup, render } from '../support/fixtures.ts';

const ISSUE = 'issues/2026-10-14-test.md';
const LAYOUT = 'templates/layouts/newsletter.mjml.hbs';
const SECRET = 'SECRET-SENTINEL-7f3a91 should never be read';

/**
 * Records every path the process opens or reads through node:fs while `fn` runs. Named ESM imports of node:fs are
 * live bindings once syncBuiltinESMExports runs, so the loader's own `import { readFile }` is observed too.
 */
async function watchReads<T>(t: TestContext, fn: () => Promise<T> | T): Promise<{ result: T | undefined; error: unknown; reads: string[] }> {
  const reads: string[] = [];
  const spy = <O extends object>(object: O, name: keyof O & string) => {
    const original = object[name] as (...args: unknown[]) => unknown;
    mock.method(object, name, function (this: unknown, ...args: unknown[]) {
      const target = args[0];
      reads.push(typeof target === 'string' ? target : target instanceof URL ? target.pathname : Buffer.isBuffer(target) ? target.toString() : `#${String(target)}`);
      return original.apply(this, args);
    } as never);
  };
  spy(fsp, 'readFile');
  spy(fsp, 'open');
  spy(fs, 'readFileSync');
  spy(fs, 'readFile');
  spy(fs, 'openSync');
  spy(fs, 'open');
  spy(fs, 'createReadStream');
  syncBuiltinESMExports();
  t.after(() => {
    mock.restoreAll();
    syncBuiltinESMExports();
  });
  let result: T | undefined;
  let error: unknown;
  try {
    result = await fn();
  } catch (e) {
    error = e;
  } finally {
    mock.restoreAll();
    syncBuiltinESMExports();
  }
  return { result, error, reads };
}

/** A folder outside every project, holding a file that must never be read. */
function outsideFolder(t: TestContext): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'nl-outside-')));
  writeFileSync(join(dir, 'secret.mjml.hbs'), `<mj-text>${SECRET}</mj-text>\n`);
  mkdirSync(join(dir, 'partials'));
  writeFileSync(join(dir, 'partials', 'secret.mjml.hbs'), `<mj-text>${SECRET}</mj-text>\n`);
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}


function diagnosticsOf(error: unknown): Diagnostic[] {
  assert.ok(error instanceof DiagnosticError, `expected a DiagnosticError, got ${String(error)}`);
  return error.diagnostics;
}

/** Nothing a user sees may print where the machine keeps its files. */
function assertNoAbsolutePaths(texts: string[], ...dirs: string[]): void {
  for (const text of texts) {
    assert.doesNotMatch(text, /\/tmp\b/, text);
    assert.doesNotMatch(text, new RegExp(tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), text);
    for (const dir of dirs) assert.ok(!text.includes(dir), `${text} mentions ${dir}`);
  }
}

function sources(layout: string, partials: Record<string, string> = {}): TemplateSources {
  return {
    layouts: { x: { file: 'templates/layouts/x.mjml.hbs', source: layout } },
    partials: Object.fromEntries(Object.entries(partials).map(([name, source]) => [name, { file: `templates/partials/${name}.mjml.hbs`, source }])),
  };
}

function renderError(set: TemplateSet, context: unknown = { issue: { title: 'T' } }): TemplateError {
  try {
    set.render('x', context);
  } catch (error) {
    assert.ok(error instanceof TemplateError, `expected a TemplateError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the render to fail');
}

/** Renders an issue against the templates of a temp project (after loading them from disk). */
async function renderInProject(dir: string, body = 'A first paragraph for the preheader.', fields?: string) {
  const setup = setupFromSources(await readBuildSources(dir));
  const parsed = parseIssue(ISSUE, issueText(body, fields), { author: setup.config.author.name, layout: setup.config.layout });
  assert.deepEqual(parsed.diagnostics, []);
  return renderIssue(parsed.issue!, setup.config, setup.templates);
}


// ---------------------------------------------------------------------------------------------------------------
// Layout names in front matter
// ---------------------------------------------------------------------------------------------------------------

for (const layout of ['../../etc/passwd', '/etc/passwd', 'sub/x', '..', 'newsletter/../newsletter', '..\\..\\secret', '.hidden']) {
  test(`layout: ${layout} is rejected by front matter validation, at the layout line, and nothing is read`, async (t) => {
    const { config, templates } = await projectSetup();
    const source = issueText('Body text.', `title: A test issue\ndate: 2026-10-14\nlayout: ${JSON.stringify(layout)}\nstatus: ready`);
    const { result, reads } = await watchReads(t, () => parseIssue(ISSUE, source, { author: config.author.name, layout: config.layout }));
    assert.equal(result!.issue, null);
    assert.equal(result!.diagnostics.length, 1, JSON.stringify(result!.diagnostics));
    const [d] = result!.diagnostics;
    assert.equal(d!.file, ISSUE);
    assert.equal(d!.line, 4);
    assert.equal(d!.field, 'layout');
    assert.equal(d!.severity, 'error');
    assert.match(d!.message, /layout name/);
    assert.deepEqual(reads, []);
    assert.ok(templates.layoutFile('newsletter'), 'the real layout is still there');
  });
}

test('an Issue whose layout bypassed validation is still resolved only among loaded layouts, with no read', async (t) => {
  const { config, templates } = await projectSetup();
  const parsed = parseIssue(ISSUE, issueText('Body text.'), { author: config.author.name, layout: config.layout });
  for (const layout of ['../../etc/passwd', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const issue = { ...parsed.issue!, layout, lines: { ...parsed.issue!.lines, layout: 3 } };
    const { result, reads } = await watchReads(t, () => renderIssue(issue, config, templates));
    // Lazily loaded library data (the bundled caniemail tables) is not a template read.
    assert.deepEqual(reads.filter((r) => !r.includes('/node_modules/')), [], layout);
    assert.equal(result!.html, null, layout);
    const errors = result!.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, layout);
    assert.equal(errors[0]!.rule, 'front-matter/layout');
    assert.equal(errors[0]!.file, ISSUE);
    assert.equal(errors[0]!.line, 3);
  }
});

test('an unknown but valid layout name is an error naming the issue file and the layout: line, with a did-you-mean', async () => {
  const source = issueText('Body text.', 'title: A test issue\ndate: 2026-10-14\nstatus: ready\nlayout: newsleter');
  const { parsed, rendered } = await render(source);
  assert.deepEqual(parsed.diagnostics, []);
  assert.ok(rendered);
  assert.equal(rendered.html, null);
  assert.equal(rendered.mjml, null);
  const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1);
  assert.deepEqual({ ...errors[0]!, message: '' }, { file: ISSUE, line: 5, severity: 'error', rule: 'front-matter/layout', message: '', field: 'layout' });
  assert.match(errors[0]!.message, /unknown layout "newsleter"/);
  assert.match(errors[0]!.message, /did you mean "newsletter"\?/);
});

test('a layout name far from every layout gets no suggestion but the list of layouts', async () => {
  const { rendered } = await render(issueText('Body text.', 'title: A test issue\nlayout: weekly-digest\ndate: 2026-10-14'));
  const [d] = rendered!.diagnostics.filter((x) => x.rule === 'front-matter/layout');
  assert.equal(d!.line, 3);
  assert.doesNotMatch(d!.message, /did you mean/);
  assert.match(d!.message, /layouts in templates\/layouts\/: newsletter/);
});

// ---------------------------------------------------------------------------------------------------------------
// Partial references
// ---------------------------------------------------------------------------------------------------------------

for (const ref of ['../../etc/passwd', 'sub/x', '"../../etc/passwd"', 'constructor', '__proto__', '../footer']) {
  test(`{{> ${ref}}} in a layout is a render error naming the layout file and line; nothing is read`, async (t) => {
    const set = new TemplateSet(sources(`<mjml>\n  <mj-body>\n    {{> ${ref}}}\n  </mj-body>\n</mjml>\n`, { footer: '<mj-text>f</mj-text>' }));
    const { error, reads } = await watchReads(t, () => set.render('x', {}));
    assert.ok(error instanceof TemplateError, String(error));
    assert.equal(error.file, 'templates/layouts/x.mjml.hbs');
    assert.equal(error.line, 3);
    assert.match(error.message, /partial/);
    assert.deepEqual(reads, []);
    assert.deepEqual(error.toDiagnostic(), { file: 'templates/layouts/x.mjml.hbs', line: 3, severity: 'error', rule: 'template/render', message: error.message });
  });
}

test('an unknown partial inside a partial names that partial and its line', () => {
  const set = new TemplateSet(sources('<mjml>\n{{> outer}}\n</mjml>\n', { outer: '<mj-body>\n  <mj-section>\n  {{> sub/inner}}\n  </mj-section>\n</mj-body>\n' }));
  const error = renderError(set, {});
  assert.equal(error.file, 'templates/partials/outer.mjml.hbs');
  assert.equal(error.line, 3);
});

test('a misspelt partial gets a did-you-mean; a dynamic partial name is refused at its line', () => {
  const typo = renderError(new TemplateSet(sources('a\n{{> fotter}}\n', { footer: 'f' })), {});
  assert.equal(typo.line, 2);
  assert.match(typo.message, /did you mean "footer"/);
  const dynamic = renderError(new TemplateSet(sources('a\nb\n{{> (lookup issue "title")}}\n', { footer: 'f' })));
  assert.equal(dynamic.file, 'templates/layouts/x.mjml.hbs');
  assert.equal(dynamic.line, 3);
});

test('a partial in a subfolder of templates/partials is not loaded, and {{> sub/x}} is an error in the pipeline', async (t) => {
  const dir = projectFor(t, { 'templates/partials/sub/x.mjml.hbs': `<mj-text>${SECRET}</mj-text>\n` });
  const loaded = await loadTemplateSources(dir);
  assert.deepEqual(Object.keys(loaded.partials).sort(), ['bio', 'byline', 'dark-mode', 'footer', 'head', 'hero', 'masthead']);
  editFile(dir, LAYOUT, '    {{> footer}}\n', '    {{> footer}}\n    {{> sub/x}}\n');
  const rendered = await renderInProject(dir);
  assert.equal(rendered.html, null);
  const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0]!.file, LAYOUT);
  assert.equal(errors[0]!.line, 28);
  assert.equal(errors[0]!.rule, 'template/render');
  assertNoAbsolutePaths(errors.map(formatDiagnostic), dir);
});

// ---------------------------------------------------------------------------------------------------------------
// Symlinks and the templates/ boundary
// ---------------------------------------------------------------------------------------------------------------

test('a symlinked partial pointing outside templates/ is an error; it is not read; no absolute path is printed', async (t) => {
  const outside = outsideFolder(t);
  const dir = projectFor(t);
  symlinkSync(join(outside, 'secret.mjml.hbs'), join(dir, 'templates/partials/evil.mjml.hbs'));
  const { error, reads } = await watchReads(t, () => loadTemplateSources(dir));
  const diagnostics = diagnosticsOf(error);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.file, 'templates/partials/evil.mjml.hbs');
  assert.equal(diagnostics[0]!.rule, 'template/outside');
  assert.equal(diagnostics[0]!.severity, 'error');
  assert.ok(!reads.some((r) => r.startsWith(outside) || r.endsWith('evil.mjml.hbs')), reads.join('\n'));
  assertNoAbsolutePaths([(error as Error).message, ...diagnostics.map(formatDiagnostic)], dir, outside);
  assert.ok(!(error as Error).message.includes(SECRET));
});

test('a symlinked layout pointing outside templates/ (relative ../../ target) is refused the same way', async (t) => {
  const outside = outsideFolder(t);
  const dir = projectFor(t);
  writeFileSync(join(dir, 'secret.mjml.hbs'), SECRET);
  symlinkSync('../../secret.mjml.hbs', join(dir, 'templates/layouts/evil.mjml.hbs'));
  symlinkSync(join(outside, 'secret.mjml.hbs'), join(dir, 'templates/layouts/evil2.mjml.hbs'));
  const { error, reads } = await watchReads(t, () => loadTemplateSources(dir));
  const diagnostics = diagnosticsOf(error);
  assert.deepEqual(diagnostics.map((d) => `${d.file} ${d.rule}`), [
    'templates/layouts/evil.mjml.hbs template/outside',
    'templates/layouts/evil2.mjml.hbs template/outside',
  ]);
  assert.ok(!reads.some((r) => r.includes('secret') || r.includes('evil')), reads.join('\n'));
  assertNoAbsolutePaths([(error as Error).message], dir, outside);
});

test('a templates/partials folder that is a symlink to a folder outside templates/ is refused; none of its files is read', async (t) => {
  const outside = outsideFolder(t);
  const dir = projectFor(t);
  rmSync(join(dir, 'templates/partials'), { recursive: true });
  symlinkSync(join(outside, 'partials'), join(dir, 'templates/partials'));
  const { result, error, reads } = await watchReads(t, () => loadTemplateSources(dir));
  assert.ok(!reads.some((r) => r.startsWith(outside) || r.includes('secret')), `read outside templates/: ${reads.join('\n')}`);
  assert.ok(!JSON.stringify(result ?? null).includes(SECRET), 'a file outside templates/ was loaded');
  const diagnostics = diagnosticsOf(error);
  assert.ok(diagnostics.some((d) => d.rule === 'template/outside' && d.file.startsWith('templates/partials')), JSON.stringify(diagnostics));
  assertNoAbsolutePaths([(error as Error).message], dir, outside);
});

test('a symlink that stays inside templates/ is allowed', async (t) => {
  const dir = projectFor(t);
  symlinkSync('../partials/footer.mjml.hbs', join(dir, 'templates/partials/footer-copy.mjml.hbs'));
  const loaded = await loadTemplateSources(dir);
  assert.equal(loaded.partials['footer-copy']!.file, 'templates/partials/footer-copy.mjml.hbs');
  assert.equal(loaded.partials['footer-copy']!.source, loaded.partials.footer!.source);
});

test('a dangling symlink is refused without printing where it points', async (t) => {
  const dir = projectFor(t);
  symlinkSync(join(dir, 'nowhere', 'gone.mjml.hbs'), join(dir, 'templates/partials/gone.mjml.hbs'));
  const diagnostics = diagnosticsOf(await loadTemplateSources(dir).then(() => null, (e: unknown) => e));
  assert.deepEqual(diagnostics.map((d) => d.file), ['templates/partials/gone.mjml.hbs']);
  assertNoAbsolutePaths(diagnostics.map(formatDiagnostic), dir);
});

test('a symlink to a folder inside templates/ is not a template: skipped, no crash', async (t) => {
  const dir = projectFor(t);
  symlinkSync('../layouts', join(dir, 'templates/partials/loop.mjml.hbs'));
  const loaded = await loadTemplateSources(dir);
  assert.ok(!Object.hasOwn(loaded.partials, 'loop'));
  assert.ok(loaded.partials.footer);
});

test('a named pipe (or a link to one) in templates/ is skipped, never opened', { timeout: 10_000 }, async (t) => {
  const dir = projectFor(t);
  execFileSync('mkfifo', [join(dir, 'templates/partials/pipe.mjml.hbs')]);
  symlinkSync('pipe.mjml.hbs', join(dir, 'templates/partials/pipe-link.mjml.hbs'));
  const loaded = await loadTemplateSources(dir);
  assert.ok(!Object.hasOwn(loaded.partials, 'pipe'));
  assert.ok(!Object.hasOwn(loaded.partials, 'pipe-link'));
});

test('the loader reads only templates/layouts/*.mjml.hbs, templates/partials/*.mjml.hbs and templates/web/*.hbs', async (t) => {
  const outside = outsideFolder(t);
  const dir = projectFor(t, {
    'templates/partials/notes.txt': SECRET,
    'templates/partials/deeper/x.mjml.hbs': SECRET,
    'templates/other.mjml.hbs': SECRET,
    'secret.mjml.hbs': SECRET,
  });
  const { result, reads } = await watchReads(t, () => loadTemplateSources(dir));
  const templatesDir = join(dir, 'templates') + '/';
  const touched = reads.filter((r) => r.startsWith(dir) || r.startsWith(outside));
  assert.ok(touched.length > 0, 'the spy saw the template reads');
  for (const r of touched) assert.match(r.slice(templatesDir.length), /^(?:(layouts|partials)\/[a-z0-9_-]+\.mjml\.hbs|web\/_?[a-z0-9_-]+\.hbs)$/, r);
  assert.ok(!JSON.stringify(result).includes(SECRET));
});

// ---------------------------------------------------------------------------------------------------------------
// mj-include and template file names
// ---------------------------------------------------------------------------------------------------------------

test('<mj-include path="…"> in a layout is an error naming the file and line; the included file is not read', async (t) => {
  const outside = outsideFolder(t);
  const dir = projectFor(t);
  editFile(dir, LAYOUT, '    {{> footer}}\n', `    {{> footer}}\n    <mj-include path="${join(outside, 'secret.mjml.hbs')}" />\n`);
  const { error, reads } = await watchReads(t, () => loadTemplateSources(dir));
  const diagnostics = diagnosticsOf(error);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.file, LAYOUT);
  assert.equal(diagnostics[0]!.line, 28);
  assert.equal(diagnostics[0]!.rule, 'template/mj-include');
  assert.ok(!reads.some((r) => r.startsWith(outside)));
  assert.ok(!(error as Error).message.includes(outside));
});

test('<MJ-INCLUDE> in a partial, in any case, is an error naming the partial and line', async (t) => {
  const dir = projectFor(t);
  editFile(dir, 'templates/partials/footer.mjml.hbs', '  <mj-column>\n', '  <mj-column>\n    <MJ-INCLUDE path="../../etc/passwd" type="html" />\n');
  const diagnostics = diagnosticsOf(await loadTemplateSources(dir).then(() => null, (e: unknown) => e));
  assert.deepEqual(diagnostics.map((d) => `${d.file}:${d.line} ${d.rule}`), ['templates/partials/footer.mjml.hbs:3 template/mj-include']);
});

for (const name of ['bad name', 'b@d', '-dash', 'dots.in.name', 'ünï', '']) {
  test(`a partial file named "${name}.mjml.hbs" is an error naming the file`, async (t) => {
    const dir = projectFor(t, { [`templates/partials/${name}.mjml.hbs`]: '<mj-text>x</mj-text>\n' });
    const diagnostics = diagnosticsOf(await loadTemplateSources(dir).then(() => null, (e: unknown) => e));
    assert.deepEqual(diagnostics.map((d) => `${d.file} ${d.rule} ${d.severity}`), [`templates/partials/${name}.mjml.hbs template/name error`]);
    assertNoAbsolutePaths(diagnostics.map(formatDiagnostic), dir);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Template errors: unknown fields and Handlebars syntax
// ---------------------------------------------------------------------------------------------------------------

test('an unknown field {{issue.titel}} in the layout is an error with the layout file and line', async (t) => {
  const dir = projectFor(t);
  editFile(dir, LAYOUT, '>{{issue.title}}</h1>', '>{{issue.titel}}</h1>');
  const rendered = await renderInProject(dir);
  assert.equal(rendered.html, null);
  const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0]!.file, LAYOUT);
  assert.equal(errors[0]!.line, 8);
  assert.equal(errors[0]!.rule, 'template/render');
  assert.match(errors[0]!.message, /titel/);
});

test('an unknown field in a partial names the partial, not the layout that includes it', async (t) => {
  const dir = projectFor(t);
  editFile(dir, 'templates/partials/footer.mjml.hbs', '{{newsletter.address}}', '{{newsletter.adress}}');
  const rendered = await renderInProject(dir);
  const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.file}:${d.line}`), ['templates/partials/footer.mjml.hbs:5']);
  assert.match(errors[0]!.message, /adress/);
});

test('an unknown field inside an {{#if}} that is taken is still located', () => {
  const error = renderError(new TemplateSet(sources('a\n{{#if issue.title}}\n  <mj-text>{{issue.nope}}</mj-text>\n{{/if}}\n')));
  assert.equal(error.line, 3);
});

test('a Handlebars syntax error in a partial is an error naming the partial file and line', async (t) => {
  const dir = projectFor(t);
  editFile(dir, 'templates/partials/byline.mjml.hbs', '{{issue.date_display}}', '{{issue.date_display}');
  const rendered = await renderInProject(dir);
  assert.equal(rendered.html, null);
  const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0]!.file, 'templates/partials/byline.mjml.hbs');
  assert.equal(errors[0]!.line, 2);
  assert.equal(errors[0]!.rule, 'template/render');
  assertNoAbsolutePaths([errors[0]!.message], dir);
});

test('a Handlebars syntax error in a layout names the layout and line', () => {
  const error = renderError(new TemplateSet(sources('<mjml>\n<mj-body>\n{{#if issue.title}\n</mj-body>\n</mjml>\n')));
  assert.equal(error.file, 'templates/layouts/x.mjml.hbs');
  assert.equal(error.line, 3);
});

test('an unclosed block in a partial names the partial', () => {
  const error = renderError(new TemplateSet(sources('a\n{{> p}}\n', { p: 'one\n{{#if issue.title}}\nthree\n' })));
  assert.equal(error.file, 'templates/partials/p.mjml.hbs');
  assert.ok(error.line >= 2 && error.line <= 4, `line ${error.line}`);
});

test('a field read from a text value ({{issue.date_display.year}}) is an error at its partial and line', async (t) => {
  const dir = projectFor(t);
  editFile(dir, 'templates/partials/byline.mjml.hbs', '{{issue.date_display}}', '{{issue.date_display.year}}');
  const rendered = await renderInProject(dir);
  assert.equal(rendered.html, null);
  const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.file}:${d.line} ${d.rule}`), ['templates/partials/byline.mjml.hbs:2 template/render']);
  assert.match(errors[0]!.message, /"year"/);
  assert.ok(!errors[0]!.message.includes('October'), 'the message does not echo the value');
});

test('a field read from an item of {{#each}} that is text is located too', () => {
  const error = renderError(new TemplateSet(sources('a\n{{#each issue.tags}}\n  <mj-text>{{this.label}}</mj-text>\n{{/each}}\n')), { issue: { tags: ['x'] } });
  assert.equal(error.line, 3);
});

test('inline partials declared with {{#*inline}} still work; partial blocks still work', () => {
  const set = new TemplateSet(sources('{{#*inline "note"}}[{{issue.title}}]{{/inline}}\n{{> note}}\n{{#> box}}inside{{/box}}\n', { box: '<b>{{> @partial-block}}</b>' }));
  assert.equal(set.render('x', { issue: { title: 'T' } }).replace(/\s+/g, ''), '[T]<b>inside</b>');
});
