import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkImages, imageRefusal } from '../../src/send/images/check-images.ts';
import { emailImageUrls } from '../../src/send/images/email-images.ts';

test('emailImageUrls: img src, background attributes and CSS url(), http(s) only, each once, entities decoded', () => {
  const html = [
    '<img src="https://example.org/news/a/chart.png?w=1&amp;h=2" alt="">',
    "<img alt='x' src='http://cdn.example/b.jpg'>",
    '<img src=https://example.org/news/a/chart.png?w=1&amp;h=2>',
    '<td background="https://example.org/bg.png" style="background:url(&quot;https://example.org/bg2.png&quot;) no-repeat">',
    '<div style="background-image: url(\'https://example.org/bg3.png\')"></div>',
    '<img src="data:image/png;base64,AAAA"><img src="cid:logo"><a href="https://example.org/not-an-image">x</a>',
  ].join('\n');
  assert.deepEqual(emailImageUrls(html), [
    'https://example.org/news/a/chart.png?w=1&h=2',
    'http://cdn.example/b.jpg',
    'https://example.org/bg.png',
    'https://example.org/bg2.png',
    'https://example.org/bg3.png',
  ]);
  assert.deepEqual(emailImageUrls('<p>No images.</p>'), []);
});

test('checkImages: HEAD, GET when HEAD is not allowed, errors named; imageRefusal lists each and says what to do', async () => {
  const asked: string[] = [];
  const fake = (async (url: string | URL | Request, init?: RequestInit) => {
    asked.push(`${init?.method} ${String(url)}`);
    const u = String(url);
    if (u.endsWith('/gone.png')) return new Response(null, { status: 404, statusText: 'Not Found' });
    if (u.endsWith('/nohead.png')) return new Response(init?.method === 'HEAD' ? null : 'png', { status: init?.method === 'HEAD' ? 405 : 200 });
    if (u.endsWith('/down.png')) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    return new Response(null, { status: 200 });
  }) as typeof fetch;
  const urls = ['https://a.example/ok.png', 'https://a.example/gone.png', 'https://a.example/nohead.png', 'https://a.example/down.png'];
  const problems = await checkImages(urls, { fetch: fake, concurrency: 2 });
  assert.deepEqual(problems, [
    { url: 'https://a.example/gone.png', problem: '404 Not Found' },
    { url: 'https://a.example/down.png', problem: 'ECONNREFUSED' },
  ]);
  assert.ok(asked.includes('GET https://a.example/nohead.png'), 'a 405 to HEAD is asked again with GET');
  assert.ok(!asked.includes('GET https://a.example/ok.png'), 'a 200 to HEAD is enough');
  const message = imageRefusal(problems)!;
  assert.match(message, /^2 images in this email do not answer at their published URL/);
  assert.match(message, /^ {2}https:\/\/a\.example\/gone\.png: 404 Not Found$/m);
  assert.match(message, /newsletter build`, then upload dist\/web\/.*--skip-image-check/);
  assert.equal(imageRefusal([]), null);
});
