/**
 * Merge tags in issue bodies (issue 3, "Per-subscriber fields"): the four known tags work in text and link targets,
 * anything else is a build error naming the file and line, and `\{{` writes literal braces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'htmlparser2';
import { findAll, getAttributeValue, textContent } from 'domutils';
import type { Document, Element } from 'domhandler';
import { expandBodyTags, makePlaceholders } from '../../src/render/merge-tags.ts';
import type { Recipient } from '../../src/render/personalise.ts';
import { readBuildSources } from '../../src/project/sources.ts';
import { setupFromSources } from '../../src/project/setup.ts';
import { parseIssue } from '../../src/issue/parse.ts';
import { renderIssue } from '../../src/render/render-issue.ts';
import { issueText, projectSetup, render, ROOT } from '../support/fixtures.ts';

const FILE = 'issues/2026-10-14-merge-tags.md';

const reader: Recipient = {
  name: 'Ada Lovelace',
  email: 'ada@example.net',
  unsubscribeUrl: 'https://dissentdesk.example.org/unsubscribe/tok-ada',
};

async function personalised(body: string, recipient: Recipient = reader) {
  const source = issueText(body);
  const { parsed, rendered } = await render(source, FILE);
  assert.ok(rendered, JSON.stringify(parsed.diagnostics));
  assert.ok(rendered.recipientTemplate, JSON.stringify(rendered.diagnostics));
  const out = rendered.recipientTemplate.render(recipient);
  const html = out.html.toString('utf8');
  return { source, rendered, html, text: out.text.toString('utf8'), doc: parseDocument(html) };
}

const byTag = (doc: Document, name: string): Element[] => findAll((e) => e.name === name, doc.children);
const linkTo = (doc: Document, text: string): string | undefined => {
  const a = byTag(doc, 'a').filter((e) => textContent(e) === text);
  assert.equal(a.length, 1, `one link "${text}"`);
  return getAttributeValue(a[0]!, 'href');
};
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

function lineOf(source: string, needle: string): number {
  const at = source.indexOf(needle);
  assert.notEqual(at, -1, `"${needle}" is not in the source`);
  return source.slice(0, at).split('\n').length;
}

test('merge tags: all four work in body text, with or without inner spaces', async () => {
  const { config } = await projectSetup();
  const { html, text, doc, rendered } = await personalised(
    'Dear {{subscriber.name}}, this went to {{ subscriber.email }}.\n\nRead it online at {{web_url}} or leave: {{unsubscribe_url}}',
  );
  assert.deepEqual(rendered.diagnostics.filter((d) => d.rule.startsWith('merge-tags')), []);
  const paragraphs = byTag(doc, 'p').map((p) => squash(textContent(p)));
  assert.ok(paragraphs.includes('Dear Ada Lovelace, this went to ada@example.net.'), paragraphs.join('\n'));
  assert.ok(paragraphs.includes(`Read it online at ${config.url}/merge-tags/ or leave: ${reader.unsubscribeUrl}`), paragraphs.join('\n'));
  assert.ok(squash(text).includes('Dear Ada Lovelace, this went to ada@example.net.'), text);
  assert.ok(squash(text).includes(`Read it online at ${config.url}/merge-tags/ or leave: ${reader.unsubscribeUrl}`), text);
  assert.ok(!html.includes('{{') && !text.includes('{{'), 'a tag was left unexpanded');
  assert.ok(!html.includes(rendered.placeholders.prefix) && !text.includes(rendered.placeholders.prefix), 'a placeholder was left');
});

test('merge tags: work in Markdown and raw HTML link targets', async () => {
  const { config } = await projectSetup();
  const { doc, text, rendered } = await personalised(
    [
      '[Unsubscribe here]({{unsubscribe_url}}) or [read on the web]({{web_url}}).',
      '',
      '<a href="{{unsubscribe_url}}">raw unsubscribe</a> and <a href="{{web_url}}#top">raw web</a>.',
      '',
      '[Write to yourself](mailto:{{subscriber.email}}) or [the survey](https://survey.example/?who={{subscriber.email}}).',
    ].join('\n'),
  );
  assert.deepEqual(rendered.diagnostics.filter((d) => d.severity === 'error' || d.rule.startsWith('links/')), []);
  assert.equal(linkTo(doc, 'Unsubscribe here'), reader.unsubscribeUrl);
  assert.equal(linkTo(doc, 'read on the web'), `${config.url}/merge-tags/`);
  assert.equal(linkTo(doc, 'raw unsubscribe'), reader.unsubscribeUrl);
  assert.equal(linkTo(doc, 'raw web'), `${config.url}/merge-tags/#top`);
  assert.equal(linkTo(doc, 'Write to yourself'), 'mailto:ada@example.net');
  // Inside a URL the value is percent-encoded; it reads back as the address.
  assert.equal(linkTo(doc, 'the survey'), 'https://survey.example/?who=ada%40example.net');
  assert.equal(new URL(linkTo(doc, 'the survey')!).searchParams.get('who'), 'ada@example.net');
  assert.ok(squash(text).includes(`Unsubscribe here ${reader.unsubscribeUrl}`), text);
});

test('merge tags: the web URL is per issue, so it is in the HTML before personalisation', async () => {
  const { config } = await projectSetup();
  const { rendered } = await personalised('Online: {{web_url}}');
  assert.ok(rendered.html!.includes(`Online: ${config.url}/merge-tags/`));
});

interface BadTag {
  tag: string;
  rule: string;
}

const BAD_TAGS: BadTag[] = [
  { tag: '{{subscriber.nme}}', rule: 'merge-tags/unknown' },
  { tag: '{{name}}', rule: 'merge-tags/unknown' },
  { tag: '{{constructor}}', rule: 'merge-tags/unknown' },
  { tag: '{{__proto__}}', rule: 'merge-tags/unknown' },
  { tag: '{{toString}}', rule: 'merge-tags/unknown' },
  { tag: '{{subscriber.constructor}}', rule: 'merge-tags/unknown' },
  { tag: '{{#if x}}', rule: 'merge-tags/unknown' },
  { tag: '{{#with "constructor"}}', rule: 'merge-tags/unknown' },
  { tag: '{{> partial}}', rule: 'merge-tags/unknown' },
  { tag: '{{lookup subscriber "name"}}', rule: 'merge-tags/unknown' },
  { tag: '{{&subscriber.name}}', rule: 'merge-tags/unknown' },
  { tag: '{{{subscriber.name}}}', rule: 'merge-tags/unescaped' },
  { tag: '{{subscriber.name', rule: 'merge-tags/unknown' },
];

for (const { tag, rule } of BAD_TAGS) {
  test(`merge tags: ${tag} is a build error (${rule}) naming the file and line`, async () => {
    const source = issueText(`A first paragraph.\n\nA second,\nwith ${tag} on its second line.\n\nThe end.`);
    const { parsed, rendered } = await render(source, FILE);
    assert.ok(rendered, JSON.stringify(parsed.diagnostics));
    const errors = rendered.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]!.rule, rule);
    assert.equal(errors[0]!.file, FILE);
    assert.equal(errors[0]!.line, lineOf(source, `with ${tag}`));
    assert.ok(errors[0]!.message.includes('{{subscriber.name}}'), 'the message lists the tags that exist');
    assert.equal(rendered.html, null, 'an issue with an unknown tag must not build');
    assert.equal(rendered.sample, null);
  });
}

test('merge tags: every bad tag is reported, each on its own line, not just the first', async () => {
  const source = issueText('{{subscriber.nme}}\n\nok {{subscriber.name}}\n\n{{#if x}}y{{/if}} and {{> p}}\n\n\n{{{subscriber.email}}}');
  const { rendered } = await render(source, FILE);
  const errors = rendered!.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line} ${d.rule}`);
  assert.deepEqual(errors, [
    `${lineOf(source, '{{subscriber.nme}}')} merge-tags/unknown`,
    `${lineOf(source, '{{#if x}}')} merge-tags/unknown`,
    `${lineOf(source, '{{#if x}}')} merge-tags/unknown`,
    `${lineOf(source, '{{#if x}}')} merge-tags/unknown`,
    `${lineOf(source, '{{{subscriber.email}}}')} merge-tags/unescaped`,
  ]);
});

test('merge tags: lines count from the body start after longer front matter', async () => {
  const fields = 'title: Lines\ndate: 2026-10-14\nsubtitle: A subtitle\nauthor: Someone Else\ntags:\n  - one\n  - two';
  const source = issueText('Para.\n\n\n\nThen {{web_ur}} here.', fields);
  const { rendered } = await render(source, FILE);
  const errors = rendered!.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, lineOf(source, 'Then {{web_ur}}'));
});

test('merge tags: \\{{ writes literal braces in the HTML and the text, and is never expanded', async () => {
  const { html, text, doc, rendered } = await personalised(
    'Type \\{{name}} or \\{{subscriber.name}} in a template; \\{{#if x}} too.',
  );
  assert.deepEqual(rendered.diagnostics.filter((d) => d.severity === 'error'), []);
  const p = byTag(doc, 'p').map((e) => squash(textContent(e)));
  assert.ok(p.includes('Type {{name}} or {{subscriber.name}} in a template; {{#if x}} too.'), p.join('\n'));
  assert.ok(html.includes('Type {{name}} or {{subscriber.name}} in a template; {{#if x}} too.'));
  assert.ok(squash(text).includes('Type {{name}} or {{subscriber.name}} in a template; {{#if x}} too.'), text);
  assert.ok(!html.includes('\\{{') && !text.includes('\\{{'), 'the backslash is consumed');
  assert.ok(!html.includes('Ada Lovelace'), 'an escaped tag is not expanded');
});

test('merge tags: {{! comments }} are dropped, in both forms', async () => {
  const { html, text, rendered } = await personalised('Before{{! a note for editors }} after {{!-- a longer {{note}} --}}end.');
  assert.deepEqual(rendered.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(html.includes('Before after end.'));
  assert.ok(squash(text).includes('Before after end.'));
  assert.ok(!html.includes('note'));
});

test('merge tags: an unclosed comment is an error on its line', async () => {
  const source = issueText('Fine.\n\nBroken {{! never closed\n\nmore');
  const { rendered } = await render(source, FILE);
  const errors = rendered!.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => [d.rule, d.line]), [['merge-tags/syntax', lineOf(source, 'Broken')]]);
});

test('expandBodyTags: a body without tags is returned unchanged; known tags become placeholders', () => {
  const ph = makePlaceholders(['']);
  assert.deepEqual(expandBodyTags('no tags {here}', 'f.md', 5, ph, 'https://w/'), { markdown: 'no tags {here}', diagnostics: [] });
  const out = expandBodyTags('{{subscriber.name}}|{{subscriber.email}}|{{unsubscribe_url}}|{{web_url}}', 'f.md', 5, ph, 'https://w/');
  assert.equal(out.markdown, `${ph.name}|${ph.email}|${ph.unsubscribe}|https://w/`);
  assert.deepEqual(out.diagnostics, []);
});

test('makePlaceholders: a placeholder never matches text the writer typed', () => {
  const ph = makePlaceholders(['I typed nlmerge0namez and nlmerge1 on purpose']);
  assert.equal(ph.prefix, 'nlmerge2');
  assert.equal(ph.name, 'nlmerge2namez');
});

test('merge tags: text that looks like a placeholder stays literal in the personalised email', async () => {
  const { html, text } = await personalised('Literal nlmerge0namez and nlmerge0unsubz, then {{subscriber.name}}.');
  assert.ok(html.includes('Literal nlmerge0namez and nlmerge0unsubz, then Ada Lovelace.'));
  assert.ok(squash(text).includes('Literal nlmerge0namez and nlmerge0unsubz, then Ada Lovelace.'));
});

test('merge tags: {{subscriber.name default="…"}} shows the default to a subscriber with no name, in HTML and text', async () => {
  const body = 'Dear {{subscriber.name default="friend & ally"}}, welcome. [Survey](https://example.org/s?who={{ subscriber.name default=\'a reader\' }})';
  const dear = (doc: Document) => byTag(doc, 'p').map((e) => squash(textContent(e))).find((t) => t.startsWith('Dear'));
  const named = await personalised(body);
  assert.equal(dear(named.doc), 'Dear Ada Lovelace, welcome. Survey');
  assert.match(named.text, /Dear Ada Lovelace, welcome\./);
  for (const name of ['', '   ']) {
    const nameless = await personalised(body, { ...reader, name });
    assert.equal(dear(nameless.doc), 'Dear friend & ally, welcome. Survey');
    // Escaped in the HTML like any value, literal in the text, percent-encoded inside a URL.
    assert.ok(nameless.html.includes('Dear friend &amp; ally,'));
    assert.match(nameless.text, /Dear friend & ally, welcome\./);
    assert.equal(linkTo(nameless.doc, 'Survey'), 'https://example.org/s?who=a%20reader');
  }
});

test('merge tags: a default is only for {{subscriber.name}}, one line, not empty, at most 60 characters', async () => {
  const bad = [
    '{{subscriber.email default="x"}}',
    '{{unsubscribe_url default="x"}}',
    '{{subscriber.name default=""}}',
    `{{subscriber.name default="${'x'.repeat(61)}"}}`,
    '{{subscriber.name default=friend}}',
  ];
  const source = issueText(bad.join('\n\n'));
  const { parsed, rendered } = await render(source, FILE);
  const diagnostics = (rendered?.diagnostics ?? parsed.diagnostics).filter((d) => d.severity === 'error');
  assert.equal(diagnostics.length, bad.length, JSON.stringify(diagnostics));
  bad.forEach((tag, i) => {
    assert.equal(diagnostics[i]!.line, lineOf(source, tag), tag);
    assert.equal(diagnostics[i]!.file, FILE);
  });
  assert.match(diagnostics[0]!.message, /only \{\{subscriber\.name\}\} takes a default/);
  assert.match(diagnostics[2]!.message, /non-empty/);
  assert.match(diagnostics[3]!.message, /61 characters; at most 60/);
  assert.match(diagnostics[4]!.message, /in quotes/);
});

test('merge tags: a layout can give the name a default too', async () => {
  const sources = await readBuildSources(ROOT);
  const byline = sources.templates.partials.byline!;
  const greeting = `<mj-text>Hello {{subscriber.name default="there"}}</mj-text>\n${byline.source}`;
  const partials = { ...sources.templates.partials, byline: { ...byline, source: greeting } };
  const setup = setupFromSources({ ...sources, templates: { ...sources.templates, partials } });
  const parsed = parseIssue(FILE, issueText('Body.'), { author: setup.config.author.name, layout: setup.config.layout });
  const rendered = await renderIssue(parsed.issue!, setup.config, setup.templates);
  assert.ok(rendered.recipientTemplate, JSON.stringify(rendered.diagnostics));
  assert.match(rendered.recipientTemplate.render({ ...reader, name: '' }).text.toString(), /Hello there/);
  assert.match(rendered.recipientTemplate.render(reader).text.toString(), /Hello Ada Lovelace/);
});
