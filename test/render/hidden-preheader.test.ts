/**
 * The hidden preheader (issue 12, finding 17): hidden from the reader in Gmail, Apple Mail and Outlook without white
 * or tiny text, and each sample issue's whole message, composed as a send composes it, gets no positive rule from
 * Debian's SpamAssassin (an independent oracle) run with its local rules only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'htmlparser2';
import { getAttributeValue, getChildren, textContent } from 'domutils';
import { isTag, type Element } from 'domhandler';
import { hidePreheader } from '../../src/render/hidden-preheader.ts';
import { sampleRecipient } from '../../src/render/render-issue.ts';
import { MimeTemplate } from '../../src/send/compose/mime-template.ts';
import { projectSetup, render, ROOT, SAMPLES } from '../support/fixtures.ts';

async function renderSample(name: string) {
  const file = `issues/${name}`;
  const { rendered } = await render(readFileSync(join(ROOT, file), 'utf8'), file);
  assert.ok(rendered?.html && rendered.recipientTemplate, `${name} renders`);
  return rendered;
}

/** `display:none;max-height:0` → { display: 'none', 'max-height': '0' }. */
function declarations(style: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of style.split(';')) {
    const at = part.indexOf(':');
    if (at > 0) map.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim().toLowerCase());
  }
  return map;
}

test('preheader: the first thing in the body, hidden for every client by display, mso-hide, size and opacity, and never by colour or a tiny font', async () => {
  for (const name of SAMPLES) {
    const rendered = await renderSample(name);
    const doc = parseDocument(rendered.html!);
    const html = getChildren(doc).filter(isTag).find((e) => e.name === 'html');
    const body = html && getChildren(html).filter(isTag).find((e) => e.name === 'body');
    assert.ok(body, `${name}: a body`);
    const first = getChildren(body).filter(isTag)[0] as Element;
    // Inbox list views show the first text of the body: the preheader must be it.
    assert.equal(textContent(first).trim(), rendered.preheader, `${name}: the body opens with the preheader`);
    const style = declarations(getAttributeValue(first, 'style') ?? '');
    assert.equal(style.get('display'), 'none', `${name}: display:none (Gmail, Apple Mail, Outlook.com)`);
    assert.equal(style.get('mso-hide'), 'all', `${name}: mso-hide:all (Outlook on Windows)`);
    assert.equal(style.get('overflow'), 'hidden');
    assert.match(style.get('max-height') ?? '', /^0(px)?$/);
    assert.match(style.get('max-width') ?? '', /^0(px)?$/);
    assert.equal(style.get('opacity'), '0');
    // White-on-white or 1px text is what spam filters look for (HTML_FONT_LOW_CONTRAST, __AC_TINY_FONT).
    for (const property of ['color', 'font-size', 'background', 'background-color']) assert.ok(!style.has(property), `${name}: no ${property} on the preheader`);
    // The hidden text is the preheader and nothing of the visible body.
    assert.equal(getChildren(first).filter(isTag).length, 0, `${name}: nothing else inside the hidden div`);
  }
});

test('preheader: HTML without MJML\'s preview div (a layout without <mj-preview>) is left as it is', () => {
  const html = '<html><body style="margin:0"><div style="word-spacing:normal;">Hello</div></body></html>';
  assert.equal(hidePreheader(html), html);
  const later = '<html><body><div>Hello</div><div style="display:none;color:#ffffff">an author\'s own</div></body></html>';
  assert.equal(hidePreheader(later), later, 'only the div MJML puts first in the body is restyled');
});

/** SpamAssassin's verdict on each message: its score and every rule hit with its points. */
function spamAssassin(messages: Buffer[]): { score: number; rules: Map<string, number> }[] | null {
  const probe = spawnSync('spamassassin', ['--version'], { encoding: 'utf8' });
  if (probe.error) return null;
  const dir = mkdtempSync(join(tmpdir(), 'nl-spamassassin-'));
  try {
    const prefs = join(dir, 'user_prefs');
    writeFileSync(prefs, '');
    // One run over an mbox (mboxrd: body lines starting "From " get a ">"), so the rules load once.
    const mbox = Buffer.concat(
      messages.flatMap((m) => [Buffer.from('From newsletter@example.org Wed Nov 25 08:00:00 2026\n'), Buffer.from(m.toString('latin1').replace(/^(>*From )/gm, '>$1'), 'latin1'), Buffer.from('\n')]),
    );
    const run = spawnSync(
      'spamassassin',
      // Local tests only (no network, no DNS lists); no Bayes, whose verdict depends on what it learnt before.
      ['--mbox', '--local', '-p', prefs, '--cf=use_bayes 0', '--cf=bayes_auto_learn 0', '--cf=add_header all Tests _TESTSSCORES(,)_'],
      { input: mbox, env: { ...process.env, HOME: dir }, maxBuffer: 64 * 1024 * 1024 },
    );
    assert.equal(run.status, 0, run.stderr.toString());
    const out = run.stdout.toString('latin1');
    const unfold = (field: string) => [...out.matchAll(new RegExp(`^${field}:((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'gm'))].map((m) => m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim());
    const statuses = unfold('X-Spam-Status');
    const tests = unfold('X-Spam-Tests');
    assert.equal(statuses.length, messages.length, 'one verdict per message');
    assert.equal(tests.length, messages.length, 'one rule list per message');
    return statuses.map((status, i) => {
      const score = /score=(-?[\d.]+)/.exec(status)?.[1];
      assert.ok(score !== undefined, status);
      const rules = new Map<string, number>();
      for (const hit of tests[i]!.split(/,\s*/).filter(Boolean)) {
        const [rule, points] = hit.split('=');
        rules.set(rule!, Number(points));
      }
      return { score: Number(score), rules };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SpamAssassin marks informational rules (HTML_MESSAGE: "has an HTML part") with 0.001 points; its report shows 0.0. */
const INFORMATIONAL = 0.001;

test('preheader: SpamAssassin (local rules) scores each sample issue\'s message ≤ 0, with no rule of positive points', async (t) => {
  const { config } = await projectSetup();
  const messages: Buffer[] = [];
  for (const name of SAMPLES) {
    const rendered = await renderSample(name);
    const mime = new MimeTemplate({ config, slug: rendered.issue.slug, subject: rendered.subject, template: rendered.recipientTemplate!, date: new Date('2026-11-25T08:00:00Z') });
    messages.push(mime.message(sampleRecipient(config)));
  }
  const verdicts = spamAssassin(messages);
  if (!verdicts) return t.skip('spamassassin is not installed (.ci/run installs it)');
  for (const [i, { score, rules }] of verdicts.entries()) {
    const hits = [...rules].map(([rule, points]) => `${rule}=${points}`).join(', ');
    assert.ok(score <= 0, `${SAMPLES[i]}: score ${score} (${hits})`);
    const positive = [...rules].filter(([, points]) => points > INFORMATIONAL);
    assert.deepEqual(positive, [], `${SAMPLES[i]}: rules with positive points (${hits})`);
  }
});
