/** `send_at:` in the front matter (issue 17): kept with its line, resolved in the config's zone, checked when rendered. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIssue } from '../../src/issue/parse.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import { resolveSendAt } from '../../src/automation/issue-send-at.ts';
import { SEND_TIME_FORMS } from '../../src/automation/send-time.ts';
import { issueText, projectSetup } from '../support/fixtures.ts';

const FILE = 'issues/2026-12-04-morning.md';

function parsed(sendAt: string) {
  const { issue, diagnostics } = parseIssue(FILE, issueText('Good morning.', `title: Morning\ndate: 2026-12-04\nstatus: ready\nsend_at: ${sendAt}`), { author: 'A', layout: 'newsletter' });
  assert.deepEqual(diagnostics, []);
  assert.ok(issue);
  return issue;
}

/** The send_at diagnostics rendering gives with the project's config and `timezone`. */
async function sendAtErrors(sendAt: string, timezone: string | null) {
  const { config, templates } = await projectSetup();
  const rendered = await renderIssue(parsed(sendAt), { ...config, timezone }, templates);
  return rendered.diagnostics.filter((d) => d.field === 'send_at');
}

test('send_at is kept as written with its line; none is null', () => {
  assert.deepEqual(parsed('2026-12-04 07:00').sendAt, { value: '2026-12-04 07:00', line: 5 });
  const { issue } = parseIssue(FILE, issueText('Hi.'), { author: 'A', layout: 'newsletter' });
  assert.equal(issue?.sendAt, null);
});

test('send_at resolves in the config zone, or with its own offset', () => {
  assert.deepEqual(resolveSendAt(parsed('2026-12-04 07:00'), 'Europe/Berlin'), { value: '2026-12-04 07:00', line: 5, at: Date.parse('2026-12-04T06:00:00Z') });
  assert.equal(resolveSendAt(parsed('2026-12-04T07:00:00+01:00'), null)?.at, Date.parse('2026-12-04T06:00:00Z'));
  assert.equal(resolveSendAt(parsed('2026-12-04 07:00'), null)?.at, null);
  assert.equal(resolveSendAt(parsed('soon'), 'Europe/Berlin')?.at, null);
});

test('a good send_at renders without an error', async () => {
  assert.deepEqual(await sendAtErrors('2026-12-04 07:00', 'Europe/Berlin'), []);
  assert.deepEqual(await sendAtErrors('2026-12-04T06:00Z', null), []);
});

test('an unparsable send_at is an error at its line, naming the field and the accepted forms', async () => {
  const [d, ...rest] = await sendAtErrors('next tuesday', 'Europe/Berlin');
  assert.equal(rest.length, 0);
  assert.ok(d);
  assert.deepEqual([d.file, d.line, d.severity], [FILE, 5, 'error']);
  assert.ok(d.message.startsWith('"send_at": '), d.message);
  assert.ok(d.message.includes(SEND_TIME_FORMS), d.message);
  assert.equal((await sendAtErrors('2026-02-30 07:00', 'Europe/Berlin')).length, 1);
});

test('a local send_at without a timezone in the config says to add one', async () => {
  const [d] = await sendAtErrors('2026-12-04 07:00', null);
  assert.ok(d);
  assert.equal(d.line, 5);
  assert.match(d.message, /"timezone:"/);
});
