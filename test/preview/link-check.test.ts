/** The inbox's link check (issue 14): which links a reader could not, or should not, follow. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinks, classifyLink, htmlLinks, textLinks } from '../../src/preview/link-check.ts';

test('link check: https links to public hosts and mailto: pass', () => {
  for (const url of ['https://example.org/a?b=1', 'https://8.8.8.8/', 'https://[2001:db8::1]/', 'mailto:editor@example.org', 'https://172.32.0.1/', 'https://192.169.1.1/', 'https://localhost.example.org/']) {
    assert.equal(classifyLink(url), null, url);
  }
});

test('link check: this computer is flagged local, however it is written', () => {
  for (const url of ['https://localhost/', 'http://localhost:4321/issues/x', 'https://preview.localhost/', 'https://LOCALHOST./', 'https://127.0.0.1/', 'https://127.8.9.10/', 'https://[::1]:8080/', 'https://[::ffff:127.0.0.1]/', 'https://0.0.0.0/']) {
    assert.equal(classifyLink(url), 'local', url);
  }
});

test('link check: private and link-local networks are flagged private', () => {
  for (const url of ['https://10.0.0.1/', 'https://172.16.0.1/', 'https://172.31.255.255/', 'https://192.168.1.20/', 'https://169.254.169.254/', 'https://[fc00::1]/', 'https://[fd12:3456::1]/', 'https://[fe80::1]/', 'https://[febf::1]/', 'https://[::ffff:10.1.2.3]/']) {
    assert.equal(classifyLink(url), 'private', url);
  }
  assert.equal(classifyLink('https://[fec0::1]/'), null, 'fec0:: is outside fe80::/10');
});

test('link check: http is insecure; other schemes unsafe; junk invalid', () => {
  assert.equal(classifyLink('http://example.org/'), 'insecure');
  for (const url of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'ftp://example.org/', 'vbscript:x']) assert.equal(classifyLink(url), 'unsafe', url);
  assert.equal(classifyLink('/relative/path'), 'invalid');
  assert.equal(classifyLink(''), 'invalid');
});

test('link check: the HTML part\'s hrefs, entities decoded; the text part\'s written URLs', () => {
  assert.deepEqual(htmlLinks(`<p><a class="x" href="https://a.example/?x=1&amp;y=2">A</a> <A HREF='http://b.example/'>B</A> <a href=mailto:c@d.example>c</a><link href="https://css.example/"><img src="https://img.example/i.png"></p>`), [
    'https://a.example/?x=1&y=2',
    'http://b.example/',
    'mailto:c@d.example',
  ]);
  assert.deepEqual(textLinks('Read it (https://a.example/page). Or http://10.0.0.2/x, or javascript:void(0) now.'), ['https://a.example/page', 'http://10.0.0.2/x', 'javascript:void']);
  const checked = checkLinks('<a href="https://a.example/">a</a><a href="https://a.example/">again</a><a href="javascript:alert(1)">x</a>', 'See http://localhost:3000/');
  assert.deepEqual(checked, [
    { url: 'https://a.example/', part: 'html', problem: null },
    { url: 'javascript:alert(1)', part: 'html', problem: 'unsafe' },
    { url: 'http://localhost:3000/', part: 'text', problem: 'local' },
  ]);
});
