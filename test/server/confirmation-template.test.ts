import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { DiagnosticError } from '../../src/core/diagnostic.ts';
import { composeConfirmation } from '../../src/server/confirmation-email.ts';
import { CONFIRMATION_TEMPLATE, loadConfirmationTemplate } from '../../src/server/confirmation-template.ts';

const config = parseConfig('name: The Weekly\nurl: https://news.example.org\n');
const link = 'https://news.example.org/confirm/abc_DEF-123';

async function project(source: string | null): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'confirm-template-'));
  if (source !== null) {
    await mkdir(join(root, 'templates', 'emails'), { recursive: true });
    await writeFile(join(root, CONFIRMATION_TEMPLATE), source);
  }
  return root;
}

test('a project without the template gets the default: the wording, the button and the link in HTML and text', async () => {
  const root = await project(null);
  try {
    const t = await loadConfirmationTemplate(root, config);
    const html = t.html(link);
    const text = t.text(link);
    assert.match(html, /Please confirm that you want to receive The Weekly:/);
    assert.match(html, /href="https:\/\/news\.example\.org\/confirm\/abc_DEF-123"/);
    assert.match(html, /Confirm my subscription/);
    assert.match(text, /Please confirm that you want to receive The Weekly:/);
    assert.ok(text.includes(link));
    assert.match(text, /If you did not ask for this, ignore this email; you will not be added\./);
    const { raw } = await composeConfirmation(config, t, 'reader@example.org', link, new Date('2026-03-02T10:00:00Z'));
    assert.match(raw.toString(), /Subject: Confirm your subscription to The Weekly/);
    assert.match(raw.toString(), /multipart\/alternative/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the default confirmation email has the issues\' masthead (the logo when set) and their dark mode', async () => {
  const root = await project(null);
  try {
    const withLogo = parseConfig('name: The Weekly\nurl: https://news.example.org\ntheme:\n  logo:\n    src: https://news.example.org/logo.png\n    alt: The Weekly\n');
    const html = (await loadConfirmationTemplate(root, withLogo)).html(link);
    assert.match(html, /<img[^>]+src="https:\/\/news\.example\.org\/logo\.png"/);
    assert.match(html, /@media \(prefers-color-scheme: dark\)/);
    assert.match(html, /<meta name="color-scheme" content="light dark">/);
    assert.ok(html.includes(withLogo.theme.dark.content_background), 'the dark colours come from the theme');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("a writer's edited template changes the email, in both HTML and text", async () => {
  const shipped = await readFile(new URL(`../../${CONFIRMATION_TEMPLATE}`, import.meta.url), 'utf8');
  const root = await project(shipped.replace('Please confirm', 'Thanks for signing up. Please confirm'));
  try {
    const t = await loadConfirmationTemplate(root, config);
    assert.match(t.html(link), /Thanks for signing up\. Please confirm/);
    assert.match(t.text(link), /Thanks for signing up\. Please confirm/);
    assert.ok(t.text(link).includes(link));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

const broken: [string, string, RegExp][] = [
  ['a Handlebars syntax error', '<mjml>\n<mj-body>\n{{#if newsletter.name}}\n</mj-body>\n</mjml>\n', /templates\/emails\/confirmation\.mjml\.hbs:\d+ error/],
  ['an unknown field', '<mjml>\n<mj-body>\n<mj-section><mj-column><mj-text>{{confirm_url}} {{newsletter.nmae}}</mj-text></mj-column></mj-section>\n</mj-body>\n</mjml>\n', /confirmation\.mjml\.hbs:3 error .*unknown field \{\{nmae\}\}/],
  ['an MJML error', '<mjml>\n<mj-body>\n<mj-section><mj-column><mj-text>{{confirm_url}}</mj-text><mj-bogus></mj-bogus></mj-column></mj-section>\n</mj-body>\n</mjml>\n', /confirmation\.mjml\.hbs:3 error mjml/],
  ['no confirm_url', '<mjml>\n<mj-body>\n<mj-section><mj-column><mj-text>Hello</mj-text></mj-column></mj-section>\n</mj-body>\n</mjml>\n', /confirmation\.mjml\.hbs:0 error .*confirm_url/],
];
for (const [what, source, expected] of broken) {
  test(`${what} in the template is an error naming the file and line`, async () => {
    const root = await project(source);
    try {
      await assert.rejects(loadConfirmationTemplate(root, config), (error: unknown) => {
        assert.ok(error instanceof DiagnosticError);
        assert.match(error.message, expected);
        return true;
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}

test('a template that is not UTF-8 is refused, naming the file and the line of the bad byte', async () => {
  const root = await mkdtemp(join(tmpdir(), 'confirm-template-'));
  try {
    await mkdir(join(root, 'templates', 'emails'), { recursive: true });
    const good = '<mjml>\n  <mj-body>\n';
    await writeFile(join(root, CONFIRMATION_TEMPLATE), Buffer.concat([Buffer.from(good), Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x0a]), Buffer.from('  </mj-body>\n</mjml>\n')]));
    await assert.rejects(loadConfirmationTemplate(root, config), (error: unknown) => {
      assert.ok(error instanceof DiagnosticError);
      const [d] = error.diagnostics;
      assert.equal(d?.file, CONFIRMATION_TEMPLATE);
      assert.equal(d?.line, 3);
      return true;
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
