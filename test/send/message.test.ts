/** The message every send path builds (issues 4 and 6): headers, parts, and no header injection, on the raw bytes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { makePlaceholders } from '../../src/render/merge-tags.ts';
import { RecipientTemplate } from '../../src/render/personalise.ts';
import { listId, messageId } from '../../src/send/compose/headers.ts';
import { composeMessage } from '../../src/send/compose/message.ts';
import { projectSetup } from '../support/fixtures.ts';

async function build(overrides: { subject?: string; name?: string } = {}) {
  const { config } = await projectSetup();
  const { envelope, raw } = composeMessage({
    config,
    slug: 'ceasefire-talks',
    subject: overrides.subject ?? 'Why the talks stalled',
    template: new RecipientTemplate('<p>Hello <b>reader</b> ✓</p>', 'Hello reader ✓\n', makePlaceholders([])),
    recipient: { name: overrides.name ?? 'Ada Reader', email: 'ada@example.net', unsubscribeUrl: 'https://dissentdesk.example.org/unsubscribe/AbC_123-xyz' },
    date: new Date('2026-11-25T08:00:00Z'),
  });
  return { envelope, raw: raw.toString('utf8'), parsed: await simpleParser(raw) };
}

test('message: multipart/alternative with both parts, and the bulk-mail headers on one line each', async () => {
  const { envelope, raw, parsed } = await build();
  assert.deepEqual(envelope, { from: 'newsletter@dissentdesk.example.org', to: 'ada@example.net' });
  assert.equal(parsed.subject, 'Why the talks stalled');
  assert.equal(parsed.from?.text, '"The Dissent Desk" <newsletter@dissentdesk.example.org>');
  assert.equal((parsed.replyTo?.value ?? [])[0]?.address, 'editor@dissentdesk.example.org');
  assert.equal(parsed.text?.trim(), 'Hello reader ✓');
  assert.match(String(parsed.html), /Hello <b>reader<\/b> ✓/);
  assert.match(raw, /^Content-Type: multipart\/alternative;/m);
  assert.match(raw, /^List-Unsubscribe: <https:\/\/dissentdesk\.example\.org\/unsubscribe\/AbC_123-xyz>\r$/m);
  assert.match(raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
  assert.match(raw, /^List-Id: The Dissent Desk <the-dissent-desk\.dissentdesk\.example\.org>\r$/im);
  assert.match(raw, /^Date: Wed, 25 Nov 2026 08:00:00 \+0000\r$/m);
  for (const line of raw.split('\r\n')) assert.ok(line.length <= 998, `a line of ${line.length} characters`);
});

test('message: a Message-ID is stable per issue and subscriber, and differs between them', () => {
  const a = messageId('issue', 'Ada@Example.net', 'news@example.org');
  assert.equal(a, messageId('issue', 'ada@example.net', 'news@example.org'), 'addresses compare without case');
  assert.notEqual(a, messageId('issue', 'bob@example.net', 'news@example.org'));
  assert.notEqual(a, messageId('other', 'ada@example.net', 'news@example.org'));
  assert.notEqual(a, messageId('issue', 'ada@example.net', 'news@example.org', 'test-1'));
  assert.match(a, /^<issue\.[0-9a-f]{32}@example\.org>$/);
});

test('message: CR or LF in a subject or a name never makes a second header', async () => {
  const { raw, parsed } = await build({ subject: 'Hello\r\nBcc: victim@example.com', name: 'Eve\r\nBcc: x@evil.example' });
  const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
  assert.doesNotMatch(headerBlock, /^Bcc:/im);
  assert.equal(headerBlock.match(/^Subject:/gim)?.length, 1);
  assert.equal(parsed.bcc, undefined);
  assert.equal(parsed.subject, 'Hello Bcc: victim@example.com');
});

test('message: the List-Id is derived from the newsletter name and sender domain', async () => {
  const { config } = await projectSetup();
  assert.equal(listId({ ...config, name: 'Ça & Ünïcode <News>' }), 'Ça & Ünïcode News <a-n-code-news.dissentdesk.example.org>');
});

test("message: a topic's List-Id is its own list under the main one, described by the topic's name, and still fits a line", async () => {
  const { config } = await projectSetup();
  const withTopics = { ...config, topics: [{ id: 'alerts', name: 'Breaking news alerts', description: null }] };
  assert.equal(listId(withTopics, 'alerts'), 'Breaking news alerts <alerts.the-dissent-desk.dissentdesk.example.org>');
  assert.equal(listId(withTopics), 'The Dissent Desk <the-dissent-desk.dissentdesk.example.org>');
  // A send planned for a topic since removed from the config still names a list apart.
  assert.equal(listId(withTopics, 'gone'), 'gone <gone.the-dissent-desk.dissentdesk.example.org>');
  const long = listId({ ...withTopics, name: 'A very long newsletter name that goes on and on well past any sensible length' }, 'a'.repeat(40));
  const id = /<([^>]+)>/.exec(long)![1]!;
  assert.ok(id.length + 2 <= 77, id);
  assert.ok(id.startsWith(`${'a'.repeat(40)}.a-very-lon`), id);
});
