import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredSlug } from '../../src/issue/declared-slug.ts';

const FILE = 'issues/2026-10-14-from-name.md';

test('the front matter slug names the issue', () => {
  assert.equal(declaredSlug(FILE, '---\ntitle: T\nslug: real-one\n---\n\nBody.\n'), 'real-one');
});

test('a body line "slug: other" is body text, not the slug', () => {
  assert.equal(declaredSlug(FILE, '---\ntitle: T\n---\n\nslug: other\n'), 'from-name');
  assert.equal(declaredSlug(FILE, '---\ntitle: T\nslug: real-one\n---\n\nslug: other\n'), 'real-one');
});

test('without front matter that parses, or with a slug that is not one, the file name gives the slug', () => {
  assert.equal(declaredSlug(FILE, 'slug: other\n\nNo front matter.\n'), 'from-name');
  assert.equal(declaredSlug(FILE, '---\ntitle: [unclosed\nslug: other\n---\n\nBody.\n'), 'from-name');
  assert.equal(declaredSlug(FILE, '---\ntitle: T\nslug: Not A Slug\n---\n\nBody.\n'), 'from-name');
});
