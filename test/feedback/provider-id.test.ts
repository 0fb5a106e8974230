import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providerIdFromReply } from '../../src/feedback/provider-id.ts';

test("the provider's id is read from the usual forms of the 250 reply to DATA", () => {
  assert.equal(providerIdFromReply('250 Ok 0100018c3e1a2b3c-4d5e6f70-8192-4a3b-9c8d-7e6f5a4b3c2d-000000'), '0100018c3e1a2b3c-4d5e6f70-8192-4a3b-9c8d-7e6f5a4b3c2d-000000');
  assert.equal(providerIdFromReply('250 2.0.0 Ok: queued as 4BQ2xK1sR7z9'), '4BQ2xK1sR7z9');
  assert.equal(providerIdFromReply('250 Ok: queued as tYk3bFv9QeW2mZ8hX1aLcA'), 'tYk3bFv9QeW2mZ8hX1aLcA');
  assert.equal(providerIdFromReply('250 2.0.0 OK queued as <abc123.def@relay.example.net>'), 'abc123.def@relay.example.net');
  assert.equal(providerIdFromReply('250 2.0.0 <f0e1d2c3@mx.example.net> Queued mail for delivery'), 'f0e1d2c3@mx.example.net');
  assert.equal(providerIdFromReply('250 Message queued as 1kXyZ2-0003ab-Cd.'), '1kXyZ2-0003ab-Cd');
});

test('a reply that names no id gives none', () => {
  for (const reply of ['250 Great success', '250 OK', '250 2.0.0 Ok', '', null, '554 5.7.1 queued as nothing', '250 written to outbox/a.eml']) {
    assert.equal(providerIdFromReply(reply), null, String(reply));
  }
});
