import { test } from 'node:test';
import assert from 'node:assert/strict';
import { underUrlPath, urlPath } from '../../src/web/url-path.ts';

test('urlPath: the path of url without its trailing slash, empty at the root', () => {
  assert.equal(urlPath('https://example.org'), '');
  assert.equal(urlPath('https://example.org/'), '');
  assert.equal(urlPath('https://example.org/news'), '/news');
  assert.equal(urlPath('https://example.org/news/'), '/news');
  assert.equal(urlPath('http://localhost:8787/a/b'), '/a/b');
});

test('underUrlPath: a URL under url becomes root-relative; another origin or a path outside it stays absolute', () => {
  const url = 'https://example.org/news';
  assert.equal(underUrlPath('https://example.org/news/first/', url), '/news/first/');
  assert.equal(underUrlPath('https://example.org/news/', url), '/news/');
  assert.equal(underUrlPath('https://example.org/news/page/2/?a=1#x', url), '/news/page/2/?a=1#x');
  assert.equal(underUrlPath('https://example.org/newsroom/', url), 'https://example.org/newsroom/', 'a longer name is not under /news');
  assert.equal(underUrlPath('https://other.example/news/first/', url), 'https://other.example/news/first/');
  assert.equal(underUrlPath('http://example.org/news/first/', url), 'http://example.org/news/first/', 'another scheme is another origin');
  assert.equal(underUrlPath('https://example.org/first/', 'https://example.org'), '/first/');
});
