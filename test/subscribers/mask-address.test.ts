/** Addresses in logs (issue 12, finding 7): masked, and nothing in a log line can start another. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forLog, maskAddress } from '../../src/subscribers/mask-address.ts';

test('maskAddress: the first character of the local part and the domain, never the whole address', () => {
  assert.equal(maskAddress('maria@example.org'), 'm***@example.org');
  assert.equal(maskAddress('M@example.org'), 'M***@example.org');
  assert.equal(maskAddress('élodie@exemple.fr'), 'é***@exemple.fr');
  assert.equal(maskAddress('😀x@example.org'), '😀***@example.org', 'a whole character, not half of a surrogate pair');
  assert.equal(maskAddress('not an address'), '***');
  assert.equal(maskAddress('@example.org'), '***');
});

test('forLog: addresses quoted in server replies are masked; line breaks and control characters become spaces', () => {
  assert.equal(forLog('550 5.1.1 <victim@example.com>: Recipient address rejected'), '550 5.1.1 <v***@example.com>: Recipient address rejected');
  assert.equal(forLog('250 written to bob@example.org-3f2a.eml'), '250 written to b***@example.org-3f2a.eml');
  assert.equal(forLog('421 4.3.2 busy\r\n2026-01-01 sign-up fake@example.org: forged'), '421 4.3.2 busy 2026-01-01 sign-up f***@example.org: forged');
  assert.equal(forLog('a\u0000b\u001bc\u2028d'), 'a b c d');
});
