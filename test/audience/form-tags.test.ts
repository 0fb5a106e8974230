/** The sign-up form's tags (issue 16): only those the config allows, however the form sends them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formTags } from '../../src/audience/form-tags.ts';

const allowed = ['weekly', 'breaking-news'];

test('repeated fields and comma-separated lists are both read, normalised, once each', () => {
  assert.deepEqual(formTags(['Weekly', 'breaking-news'], allowed), ['weekly', 'breaking-news']);
  assert.deepEqual(formTags(['weekly, Breaking-News ,weekly'], allowed), ['weekly', 'breaking-news']);
});

test('a tag the config does not allow, or no tag at all, is dropped', () => {
  assert.deepEqual(formTags(['weekly', 'paid', 'vip,not ok', '', ','], allowed), ['weekly']);
  assert.deepEqual(formTags(['paid'], []), []);
});
