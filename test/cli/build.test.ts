import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIssue } from '../../src/issue/parse.ts';
import { issueText, ROOT, runCli, tempProject } from '../support/fixtures.ts';

const OUTPUTS = ['email.html', 'email.mjml', 'email.txt', 'meta.json'];
/** The files of dist/<slug>/ but the web archive's entry (a ready issue's `web.json` and `web-content.html`, tested in test/web/). */
const emailFiles = (dir: string) => readdirSync(dir).filter((n) => !n.startsWith('web')).sort();

const GOOD_A = 'issues/2026-10-01-camera-contract.md';
const GOOD_B = 'issues/2026-10-08-records-appeal.md';
const BAD = 'issues/2026-10-15-untitled.md';

const FILES: Record<string, string> = {
  [GOOD_A]: issueText(
    'The council approved the camera contract without a debate.\n\n> We did not set out to avoid anybody.',
    'title: Cameras Bought Before Anyone Voted\ndate: 2026-10-01\nstatus: ready\npreheader: How a pilot became a network.',
  ),
  [GOOD_B]: issueText(
    'My appeal of the records denial went out on Monday morning.',
    'title: The Records Appeal\ndate: 2026-10-08\nstatus: ready\nsubject: Appeal filed',
  ),
  // Line 2 is `date:`; the title is missing.
  [BAD]: issueText('This issue has no title.', 'date: 2026-10-15\nstatus: ready'),
};

function project(files: Record<string, string> = FILES) {
  return tempProject(files);
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

interface Meta {
  slug: string;
  file: string;
  title: string;
  subject: string;
  preheader: string;
  reading_minutes: number;
  bytes: { html: number; text: number; mjml: number };
  diagnostics: unknown[];
}

/** The summary line: "N built, M unchanged, K failed in …". */
function summary(stdout: string): { built: number; unchanged: number; failed: number } {
  const m = /(\d+) built, (\d+) unchanged, (\d+) failed/.exec(stdout);
  assert.ok(m, `no summary line in:\n${stdout}`);
  return { built: Number(m[1]), unchanged: Number(m[2]), failed: Number(m[3]) };
}

const OLD = new Date('2001-01-01T00:00:00Z');

/** Sets every output file's mtime far in the past, so any rewrite shows. */
function age(dist: string): void {
  for (const slug of readdirSync(dist)) {
    if (slug === 'web' || !statSync(join(dist, slug)).isDirectory()) continue;
    for (const name of readdirSync(join(dist, slug))) utimesSync(join(dist, slug, name), OLD, OLD);
  }
}

/** Slugs with at least one output file written since `age()` (the web archive is tested in test/web/). */
function rewritten(dist: string): string[] {
  return readdirSync(dist)
    .filter((slug) => slug !== 'web' && statSync(join(dist, slug)).isDirectory())
    .filter((slug) => readdirSync(join(dist, slug)).some((name) => statSync(join(dist, slug, name)).mtimeMs !== OLD.getTime()))
    .sort();
}

test('build renders every good issue, reports the bad one with file:line, and exits 1 after building the rest', (t) => {
  const { dir, cleanup } = project();
  t.after(cleanup);
  const run = runCli(['build'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /✗ issues\/2026-10-15-untitled\.md/);
  assert.match(run.stdout, /issues\/2026-10-15-untitled\.md:[1-9]\d* error front-matter\/\S+ .*title/);
  assert.match(run.stdout, /✓ issues\/2026-10-01-camera-contract\.md → dist\/camera-contract\//);
  assert.match(run.stdout, /✓ issues\/2026-10-08-records-appeal\.md → dist\/records-appeal\//);
  assert.deepEqual(summary(run.stdout), { built: 2, unchanged: 0, failed: 1 });

  assert.deepEqual(readdirSync(join(dir, 'dist')).filter((n) => !n.startsWith('.') && n !== 'web').sort(), ['camera-contract', 'records-appeal']);
  for (const slug of ['camera-contract', 'records-appeal']) {
    assert.deepEqual(emailFiles(join(dir, 'dist', slug)), OUTPUTS, `${slug} has exactly the four files, no temp files`);
  }

  const out = 'dist/camera-contract';
  const html = read(dir, `${out}/email.html`);
  assert.match(html, /^<!doctype html>/i);
  assert.match(html, /Cameras Bought Before Anyone Voted/);
  assert.match(html, /without a debate/);
  assert.match(read(dir, `${out}/email.txt`), /The council approved the camera contract without a debate\./);
  assert.match(read(dir, `${out}/email.mjml`), /<mjml[\s>]/);
  const meta = JSON.parse(read(dir, `${out}/meta.json`)) as Meta;
  assert.equal(meta.slug, 'camera-contract');
  assert.equal(meta.file, GOOD_A);
  assert.equal(meta.subject, 'Cameras Bought Before Anyone Voted', 'subject defaults to the title');
  assert.equal(meta.preheader, 'How a pilot became a network.');
  assert.equal(meta.reading_minutes, 1);
  assert.deepEqual(meta.bytes, {
    html: statSync(join(dir, out, 'email.html')).size,
    text: statSync(join(dir, out, 'email.txt')).size,
    mjml: statSync(join(dir, out, 'email.mjml')).size,
  });
  assert.ok(Array.isArray(meta.diagnostics));

  const metaB = JSON.parse(read(dir, 'dist/records-appeal/meta.json')) as Meta;
  assert.equal(metaB.subject, 'Appeal filed');
  assert.match(metaB.preheader, /^My appeal of the records denial/, 'the preheader defaults to the start of the text');
  assert.match(read(dir, 'dist/records-appeal/email.html'), /The Records Appeal/);
});

test('build --out writes to the given folder instead of dist/', (t) => {
  const { dir, cleanup } = project({ [GOOD_A]: FILES[GOOD_A]! });
  t.after(cleanup);
  const run = runCli(['build', '--out', 'other'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /→ other\/camera-contract\//);
  assert.deepEqual(emailFiles(join(dir, 'other', 'camera-contract')), OUTPUTS);
  assert.equal(existsSync(join(dir, 'dist')), false, 'nothing written to dist/');
});

test('build <file> builds only that file', (t) => {
  const { dir, cleanup } = project();
  t.after(cleanup);
  const run = runCli(['build', GOOD_B], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual(summary(run.stdout), { built: 1, unchanged: 0, failed: 0 });
  assert.doesNotMatch(run.stdout, /camera-contract|untitled/);
  assert.deepEqual(readdirSync(join(dir, 'dist')).filter((n) => !n.startsWith('.') && n !== 'web'), ['records-appeal']);
  // A path spelled differently still names the same issue.
  const again = runCli(['build', `./${GOOD_B}`], dir);
  assert.equal(again.status, 0);
  assert.match(again.stdout, new RegExp(`✓ ${GOOD_B} → dist/records-appeal/ \\(unchanged\\)`));
});

test('build of a missing file fails naming the file, and still builds the other files given', (t) => {
  const { dir, cleanup } = project({ [GOOD_A]: FILES[GOOD_A]! });
  t.after(cleanup);
  const run = runCli(['build', 'issues/2026-10-09-no-such-issue.md', GOOD_A], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /issues\/2026-10-09-no-such-issue\.md:\d+ error \S+ .*(no such file|not found|ENOENT)/i);
  assert.ok(existsSync(join(dir, 'dist', 'camera-contract', 'meta.json')));
});

test('incremental build: unchanged issues are skipped and not rewritten; an edited issue alone is rebuilt', (t) => {
  const { dir, cleanup } = project({ [GOOD_A]: FILES[GOOD_A]!, [GOOD_B]: FILES[GOOD_B]! });
  t.after(cleanup);
  const dist = join(dir, 'dist');
  assert.equal(runCli(['build'], dir).status, 0);
  age(dist);

  const second = runCli(['build'], dir);
  assert.equal(second.status, 0, second.stdout + second.stderr);
  assert.deepEqual(summary(second.stdout), { built: 0, unchanged: 2, failed: 0 });
  assert.equal(second.stdout.match(/\(unchanged\)/g)?.length, 2);
  assert.deepEqual(rewritten(dist), [], 'no output rewritten');

  writeFileSync(join(dir, GOOD_B), FILES[GOOD_B]!.replace('Monday morning', 'Tuesday evening'));
  const third = runCli(['build'], dir);
  assert.equal(third.status, 0, third.stdout + third.stderr);
  assert.deepEqual(summary(third.stdout), { built: 1, unchanged: 1, failed: 0 });
  assert.deepEqual(rewritten(dist), ['records-appeal']);
  assert.match(read(dir, 'dist/records-appeal/email.txt'), /Tuesday evening/);
});

test('incremental build: editing a template rebuilds every issue', (t) => {
  const { dir, cleanup } = project({ [GOOD_A]: FILES[GOOD_A]!, [GOOD_B]: FILES[GOOD_B]! });
  t.after(cleanup);
  const dist = join(dir, 'dist');
  assert.equal(runCli(['build'], dir).status, 0);
  age(dist);
  const footer = join(dir, 'templates', 'partials', 'footer.mjml.hbs');
  writeFileSync(footer, readFileSync(footer, 'utf8').replace('</mj-section>', '</mj-section>\n<mj-section><mj-column><mj-text>Printed on recycled pixels.</mj-text></mj-column></mj-section>'));
  const run = runCli(['build'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual(summary(run.stdout), { built: 2, unchanged: 0, failed: 0 });
  assert.deepEqual(rewritten(dist), ['camera-contract', 'records-appeal']);
  assert.match(read(dir, 'dist/camera-contract/email.html'), /Printed on recycled pixels\./);
});

test('incremental build: editing the config rebuilds every issue', (t) => {
  const { dir, cleanup } = project({ [GOOD_A]: FILES[GOOD_A]!, [GOOD_B]: FILES[GOOD_B]! });
  t.after(cleanup);
  const dist = join(dir, 'dist');
  assert.equal(runCli(['build'], dir).status, 0);
  age(dist);
  const config = join(dir, 'newsletter.yaml');
  const text = readFileSync(config, 'utf8');
  assert.match(text, /^name: .+$/m);
  writeFileSync(config, text.replace(/^name: .+$/m, 'name: The Renamed Bulletin'));
  const run = runCli(['build'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual(summary(run.stdout), { built: 2, unchanged: 0, failed: 0 });
  assert.deepEqual(rewritten(dist), ['camera-contract', 'records-appeal']);
  assert.match(read(dir, 'dist/records-appeal/email.html'), /The Renamed Bulletin/);
});

test('incremental build: --force rebuilds everything; deleting dist/<slug> rebuilds that issue', (t) => {
  const { dir, cleanup } = project({ [GOOD_A]: FILES[GOOD_A]!, [GOOD_B]: FILES[GOOD_B]! });
  t.after(cleanup);
  const dist = join(dir, 'dist');
  assert.equal(runCli(['build'], dir).status, 0);
  age(dist);
  const forced = runCli(['build', '--force'], dir);
  assert.equal(forced.status, 0, forced.stdout + forced.stderr);
  assert.deepEqual(summary(forced.stdout), { built: 2, unchanged: 0, failed: 0 });
  assert.deepEqual(rewritten(dist), ['camera-contract', 'records-appeal']);

  // --force on one file rebuilds that one and keeps the other's record.
  age(dist);
  const one = runCli(['build', '--force', GOOD_A], dir);
  assert.deepEqual(summary(one.stdout), { built: 1, unchanged: 0, failed: 0 });
  assert.deepEqual(rewritten(dist), ['camera-contract']);
  assert.deepEqual(summary(runCli(['build'], dir).stdout), { built: 0, unchanged: 2, failed: 0 });

  age(dist);
  rmSync(join(dist, 'camera-contract'), { recursive: true });
  const run = runCli(['build'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual(summary(run.stdout), { built: 1, unchanged: 1, failed: 0 });
  assert.deepEqual(emailFiles(join(dist, 'camera-contract')), OUTPUTS);
  assert.deepEqual(rewritten(dist), ['camera-contract']);
});

test('incremental build: an issue that failed is tried again on the next build, and a fixed one is built', (t) => {
  const { dir, cleanup } = project();
  t.after(cleanup);
  assert.equal(runCli(['build'], dir).status, 1);
  const again = runCli(['build'], dir);
  assert.equal(again.status, 1, 'a failed issue is never recorded as current');
  assert.deepEqual(summary(again.stdout), { built: 0, unchanged: 2, failed: 1 });
  writeFileSync(join(dir, BAD), issueText('This issue has a title now.', 'title: Now Titled\ndate: 2026-10-15\nstatus: ready'));
  const fixed = runCli(['build'], dir);
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
  assert.deepEqual(summary(fixed.stdout), { built: 1, unchanged: 2, failed: 0 });
  assert.match(read(dir, 'dist/untitled/email.html'), /Now Titled/);
});

test('two issues with the same slug are both reported and the build exits 1', (t) => {
  const { dir, cleanup } = project({
    'issues/2026-10-01-one.md': issueText('First.', 'title: One\ndate: 2026-10-01\nslug: same-slug'),
    'issues/2026-10-02-two.md': issueText('Second.', 'title: Two\ndate: 2026-10-02\nslug: same-slug'),
    'issues/2026-10-03-three.md': issueText('Third.', 'title: Three\ndate: 2026-10-03'),
  });
  t.after(cleanup);
  const run = runCli(['build'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /issues\/2026-10-01-one\.md:\d+ error build\/duplicate-slug .*same-slug.*issues\/2026-10-02-two\.md/);
  assert.match(run.stdout, /issues\/2026-10-02-two\.md:\d+ error build\/duplicate-slug .*same-slug.*issues\/2026-10-01-one\.md/);
  assert.match(run.stdout, /✓ issues\/2026-10-03-three\.md/);
  // Still reported on the next build: neither is recorded as current.
  const again = runCli(['build'], dir);
  assert.equal(again.status, 1);
  assert.equal(again.stdout.match(/build\/duplicate-slug/g)?.length, 2);
});

test('a duplicate slug is caught when the second issue is added after the first was built', (t) => {
  const { dir, cleanup } = project({ 'issues/2026-10-01-one.md': issueText('First.', 'title: One\ndate: 2026-10-01\nslug: same-slug') });
  t.after(cleanup);
  assert.equal(runCli(['build'], dir).status, 0);
  writeFileSync(join(dir, 'issues/2026-10-02-two.md'), issueText('Second.', 'title: Two\ndate: 2026-10-02\nslug: same-slug'));
  const run = runCli(['build'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.stdout.match(/build\/duplicate-slug/g)?.length, 2);
});

test('build <file> whose slug another built issue already uses is an error, and both render again once fixed', (t) => {
  const one = issueText('First.', 'title: One\ndate: 2026-10-01\nslug: same-slug');
  const { dir, cleanup } = project({ 'issues/2026-10-01-one.md': one });
  t.after(cleanup);
  assert.equal(runCli(['build'], dir).status, 0);
  writeFileSync(join(dir, 'issues/2026-10-02-two.md'), issueText('Second.', 'title: Two\ndate: 2026-10-02\nslug: same-slug'));
  const run = runCli(['build', 'issues/2026-10-02-two.md'], dir);
  assert.equal(run.status, 1, `building only the newcomer must not silently take over dist/same-slug/:\n${run.stdout}`);
  assert.match(run.stdout, /issues\/2026-10-02-two\.md:\d+ error build\/duplicate-slug .*issues\/2026-10-01-one\.md/);

  writeFileSync(join(dir, 'issues/2026-10-02-two.md'), issueText('Second.', 'title: Two\ndate: 2026-10-02\nslug: two'));
  const fixed = runCli(['build'], dir);
  assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
  assert.deepEqual(summary(fixed.stdout), { built: 2, unchanged: 0, failed: 0 });
  assert.equal((JSON.parse(read(dir, 'dist/same-slug/meta.json')) as Meta).title, 'One', 'dist/same-slug/ is One\'s again');
  assert.equal((JSON.parse(read(dir, 'dist/two/meta.json')) as Meta).title, 'Two');
});

test('build of 12 or more issues (the bundled worker pool) writes every issue, and a bad config still names each key', (t) => {
  const many: Record<string, string> = {};
  for (let day = 10; day < 24; day++) {
    many[`issues/2026-10-${day}-issue-${day}.md`] = issueText(`Body of issue ${day}, with “quotes”.`, `title: Issue ${day}\ndate: 2026-10-${day}\npreheader: Issue ${day}.`);
  }
  many['issues/2026-10-24-bad.md'] = issueText('No title.', 'date: 2026-10-24');
  const { dir, cleanup } = project(many);
  t.after(cleanup);
  const run = runCli(['build'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.deepEqual(summary(run.stdout), { built: 14, unchanged: 0, failed: 1 });
  assert.match(run.stdout, /issues\/2026-10-24-bad\.md:[1-9]\d* error front-matter\/\S+ .*title/);
  for (let day = 10; day < 24; day++) {
    assert.deepEqual(emailFiles(join(dir, 'dist', `issue-${day}`)), OUTPUTS);
    assert.match(read(dir, `dist/issue-${day}/email.txt`), new RegExp(`Body of issue ${day}, with “quotes”\\.`));
  }
  assert.deepEqual(summary(runCli(['build'], dir).stdout), { built: 0, unchanged: 14, failed: 1 });

  appendFileSync(join(dir, 'newsletter.yaml'), '\nbogus_key: 1\n');
  const bad = runCli(['build'], dir);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /^newsletter\.yaml:\d+ error config\/\S+ .*bogus_key/m);
});

test('README quick start: `newsletter build` on the repository\'s own issues in a fresh copy exits 0 and writes each one', (t) => {
  const { dir, cleanup } = tempProject();
  t.after(cleanup);
  cpSync(join(ROOT, 'issues'), join(dir, 'issues'), { recursive: true });
  const files = readdirSync(join(dir, 'issues')).filter((n) => n.endsWith('.md')).sort();
  assert.ok(files.length >= 2 && files.length <= 3, `two or three sample issues, found ${files.length}`);
  const slugs = files.map((name) => {
    const parsed = parseIssue(`issues/${name}`, read(dir, `issues/${name}`), { author: 'x', layout: 'newsletter' });
    assert.ok(parsed.issue, JSON.stringify(parsed.diagnostics));
    return parsed.issue.slug;
  });

  const run = runCli(['build'], dir);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual(summary(run.stdout), { built: files.length, unchanged: 0, failed: 0 });
  assert.match(run.stdout, /0 errors/);
  for (const slug of slugs) {
    assert.deepEqual(emailFiles(join(dir, 'dist', slug)), OUTPUTS, slug);
    const meta = JSON.parse(read(dir, `dist/${slug}/meta.json`)) as Meta;
    assert.equal(meta.slug, slug);
    assert.ok(meta.bytes.html > 1000);
  }
});

const readme = join(ROOT, 'README.md');
test(
  'the README quick start is `npm ci && npx newsletter build` and the README names every command',
  () => {
    const text = readFileSync(readme, 'utf8');
    assert.match(text, /npm ci/);
    assert.match(text, /npx newsletter build/);
    for (const command of ['newsletter build', 'newsletter check', 'newsletter new', '--out', '--force', '--json', '--date', '--slug']) {
      assert.ok(text.includes(command), `README mentions ${command}`);
    }
  },
);

test('a config that fails validation stops the build and check: each problem on its own file:line line, exit 1', (t) => {
  const { dir, cleanup } = project({ [GOOD_A]: FILES[GOOD_A]! });
  t.after(cleanup);
  appendFileSync(join(dir, 'newsletter.yaml'), '\nbogus_key: 1\nother_bogus: 2\n');
  for (const command of ['build', 'check']) {
    const run = runCli([command], dir);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.match(lines.find((l) => l.includes('bogus_key')) ?? '', /^newsletter\.yaml:\d+ error config\/\S+ .*bogus_key/, run.stderr);
    assert.match(lines.find((l) => l.includes('other_bogus')) ?? '', /^newsletter\.yaml:\d+ error config\/\S+ .*other_bogus/, run.stderr);
  }
  assert.equal(existsSync(join(dir, 'dist', 'camera-contract')), false);
});

test('build: an issue in Windows-1252 fails with its line and how to convert it, writes nothing, and the rest is built (issue 12, finding 9)', (t) => {
  const { dir, cleanup } = project({ [GOOD_A]: FILES[GOOD_A]! });
  t.after(cleanup);
  const file = 'issues/2026-10-20-cafe.md';
  writeFileSync(join(dir, file), Buffer.from(issueText('Un caf\u00e9.', 'title: Le Caf\u00e9\ndate: 2026-10-20\nstatus: ready'), 'latin1'));
  const run = runCli(['build'], dir);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /✗ issues\/2026-10-20-cafe\.md/);
  assert.match(run.stdout, /issues\/2026-10-20-cafe\.md:2 error file\/encoding not UTF-8 text: byte 0xE9 at line 2, column 14 .*iconv -f WINDOWS-1252 -t UTF-8 issues\/2026-10-20-cafe\.md > issues\/2026-10-20-cafe\.utf8\.md/);
  assert.deepEqual(summary(run.stdout), { built: 1, unchanged: 0, failed: 1 });
  assert.deepEqual(readdirSync(join(dir, 'dist')).filter((n) => !n.startsWith('.') && n !== 'web').sort(), ['camera-contract']);
  assert.doesNotMatch(read(dir, 'dist/web/feed.xml'), /Caf|\uFFFD/);
  // Built once as UTF-8, then saved as Windows-1252: it fails like any broken issue, and its old outputs go.
  writeFileSync(join(dir, file), issueText('Un caf\u00e9.', 'title: Le Caf\u00e9\ndate: 2026-10-20\nstatus: ready'));
  assert.equal(runCli(['build'], dir).status, 0);
  assert.match(read(dir, 'dist/web/feed.xml'), /Le Café/);
  writeFileSync(join(dir, file), Buffer.from(issueText('Un caf\u00e9.', 'title: Le Caf\u00e9\ndate: 2026-10-20\nstatus: ready'), 'latin1'));
  const again = runCli(['build'], dir);
  assert.equal(again.status, 1, again.stdout);
  assert.match(again.stdout, /issues\/2026-10-20-cafe\.md:2 error file\/encoding/);
  assert.equal(existsSync(join(dir, 'dist', 'cafe')), false, 'no stale outputs left as if current');
  assert.doesNotMatch(read(dir, 'dist/web/feed.xml'), /Caf/);
});
