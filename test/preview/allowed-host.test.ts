/** The preview's Host header rule (issue 12, finding 2): DNS rebinding gets no answer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostChecker } from '../../src/preview/allowed-host.ts';

test('preview host check: this computer\'s own names at the right port, nothing else', () => {
  const allowed = hostChecker('127.0.0.1', 4321);
  for (const host of ['127.0.0.1:4321', 'localhost:4321', 'LOCALHOST:4321', '[::1]:4321']) assert.equal(allowed(host), true, host);
  for (const host of [
    undefined,
    '',
    'evil.example:4321',
    'evil.example',
    '127.0.0.1',
    '127.0.0.1:4322',
    'localhost:80',
    'localhost.evil.example:4321',
    '127.0.0.1.nip.io:4321',
    '10.0.0.5:4321',
    'localhost:4321@evil.example',
    'localhost:4321 ',
    '[::1]:4321:4321',
  ]) {
    assert.equal(allowed(host), false, String(host));
  }
});

test('preview host check: the --host given is answered too; on every interface, so is any IP address', () => {
  const named = hostChecker('desk.lan', 4321);
  assert.equal(named('desk.lan:4321'), true);
  assert.equal(named('10.0.0.5:4321'), false, 'an address other than the one given');
  const v6 = hostChecker('fe80::1', 4321);
  assert.equal(v6('[fe80::1]:4321'), true);
  const everywhere = hostChecker('0.0.0.0', 4321);
  for (const host of ['0.0.0.0:4321', '192.168.1.20:4321', '[fe80::1]:4321', 'localhost:4321']) assert.equal(everywhere(host), true, host);
  assert.equal(everywhere('evil.example:4321'), false, 'a name that could be re-pointed is still refused');
  assert.equal(hostChecker('127.0.0.1', 80)('localhost'), true, 'port 80 is left out of the header');
});
