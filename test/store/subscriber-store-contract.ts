/**
 * What every SubscriberStore must do, whatever the database: the SQLite store runs it (sqlite.test.ts), and the
 * PostgreSQL store the same (pg-stores.test.ts), each through its own `make`.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ImportRow, SubscriberStore } from '../../src/subscribers/subscriber.ts';

/** Makes an empty store whose clock is `now`; cleans up after the test. */
export type MakeStore = (t: TestContext, now: () => Date) => SubscriberStore | Promise<SubscriberStore>;

const ada = { email: 'Ada@Example.com', emailNormalized: 'ada@example.com', name: 'Ada', status: 'pending' as const, source: 'cli', reason: 'added with the CLI' };

export function subscriberStoreContract(name: string, make: MakeStore): void {
  const ticking = () => {
    let clock = Date.parse('2026-11-01T10:00:00Z');
    return () => new Date((clock += 1000));
  };

  test(`${name}: addresses are unique regardless of case; every change appends an event with from, to, why and via`, async (t) => {
    const store = await make(t, ticking());
    const added = await store.add(ada);
    assert.equal(added.email, 'Ada@Example.com', 'stored as given');
    assert.equal(added.status, 'pending');
    assert.equal((await store.byId(added.id))?.emailNormalized, 'ada@example.com');
    await assert.rejects(async () => store.add({ ...ada, email: 'ADA@example.COM' }), /already on the list/);
    assert.equal(await store.setStatus('ada@example.com', 'active', 'confirmed by email', 'form'), true);
    assert.equal(await store.setStatus('ada@example.com', 'active', 'again', 'form'), false, 'no change, no event');
    assert.equal(await store.setStatus('ada@example.com', 'unsubscribed', 'one-click unsubscribe', 'one-click'), true);
    const s = (await store.get('ada@example.com'))!;
    assert.equal(s.status, 'unsubscribed');
    assert.equal(s.confirmedAt, '2026-11-01T10:00:02.000Z');
    assert.equal(s.unsubscribedAt, '2026-11-01T10:00:03.000Z');
    assert.deepEqual(await store.events('ada@example.com'), [
      { at: '2026-11-01T10:00:01.000Z', from: null, to: 'pending', reason: 'added with the CLI', via: 'cli' },
      { at: '2026-11-01T10:00:02.000Z', from: 'pending', to: 'active', reason: 'confirmed by email', via: 'form' },
      { at: '2026-11-01T10:00:03.000Z', from: 'active', to: 'unsubscribed', reason: 'one-click unsubscribe', via: 'one-click' },
    ]);
    assert.deepEqual(await store.countByStatus(), { pending: 0, active: 0, unsubscribed: 1, bounced: 0, complained: 0 });
    assert.deepEqual((await store.list({ status: 'unsubscribed' })).map((x) => x.email), ['Ada@Example.com']);
    assert.deepEqual(await store.list({ status: 'active' }), []);
  });

  test(`${name}: purging deletes the subscriber and their events`, async (t) => {
    const store = await make(t, ticking());
    await store.add(ada);
    await store.setStatus('ada@example.com', 'active', 'confirmed', 'cli');
    assert.equal(await store.purge('ada@example.com'), true);
    assert.equal(await store.get('ada@example.com'), null);
    assert.deepEqual(await store.events('ada@example.com'), []);
    assert.equal(await store.purge('ada@example.com'), false);
  });

  test(`${name}: an import adds new addresses as active, updates names, never reactivates, and is idempotent`, async (t) => {
    const store = await make(t, ticking());
    await store.add({ ...ada, email: 'gone@example.com', emailNormalized: 'gone@example.com', status: 'unsubscribed' });
    const rows: ImportRow[] = [
      { email: 'New@example.com', emailNormalized: 'new@example.com', name: 'New', attributes: { city: 'Leeds' } },
      { email: 'gone@example.com', emailNormalized: 'gone@example.com', name: 'Gone Again', attributes: {} },
    ];
    const progress: number[] = [];
    assert.deepEqual(await store.importMany(rows, 'import:list.csv', { onProgress: (done) => progress.push(done) }), { imported: 1, updated: 1, unchanged: 0 });
    assert.deepEqual(progress, [2]);
    assert.equal((await store.get('gone@example.com'))?.status, 'unsubscribed');
    assert.equal((await store.get('new@example.com'))?.status, 'active');
    assert.deepEqual((await store.get('new@example.com'))?.attributes, { city: 'Leeds' });
    assert.deepEqual((await store.events('new@example.com')).map((e) => e.via), ['import:list.csv']);
    assert.deepEqual(await store.importMany(rows, 'import:list.csv'), { imported: 0, updated: 0, unchanged: 2 });
    assert.deepEqual(await store.importMany([{ ...rows[0]!, emailNormalized: 'dry@example.com', email: 'dry@example.com' }], 'x', { dryRun: true }), { imported: 1, updated: 0, unchanged: 0 });
    assert.equal(await store.get('dry@example.com'), null, 'a dry run keeps nothing');
  });

  test(`${name}: each subscriber has a random token key of its own, kept through changes and never given to anyone after a purge`, async (t) => {
    const store = await make(t, ticking());
    const first = await store.add(ada);
    const second = await store.add({ ...ada, email: 'bo@example.com', emailNormalized: 'bo@example.com' });
    for (const s of [first, second]) {
      assert.match(s.tokenKey, /^[0-9a-f]{32}$/);
      assert.equal(s.legacyTokens, false, 'rows made now never accept id-based links');
    }
    assert.notEqual(first.tokenKey, second.tokenKey);
    assert.equal((await store.byTokenKey(first.tokenKey))?.emailNormalized, 'ada@example.com');
    await store.setStatus('ada@example.com', 'active', 'confirmed', 'cli');
    assert.equal((await store.get('ada@example.com'))?.tokenKey, first.tokenKey, 'a status change keeps the key');
    await store.importMany([{ email: 'Ada@Example.com', emailNormalized: 'ada@example.com', name: 'Ada L', attributes: { city: 'Leeds' } }], 'import:x.csv');
    assert.equal((await store.get('ada@example.com'))?.tokenKey, first.tokenKey, 'an import update keeps the key');
    await store.importMany([{ email: 'cy@example.com', emailNormalized: 'cy@example.com', name: '', attributes: {} }], 'import:x.csv');
    const imported = (await store.get('cy@example.com'))!;
    assert.match(imported.tokenKey, /^[0-9a-f]{32}$/);
    assert.ok(![first.tokenKey, second.tokenKey].includes(imported.tokenKey));
    await store.purge('ada@example.com');
    assert.equal(await store.byTokenKey(first.tokenKey), null, 'gone with the row');
    const again = await store.add(ada);
    assert.notEqual(again.tokenKey, first.tokenKey, 'the same address signing up again is a new person to its links');
    assert.equal(await store.byTokenKey(first.tokenKey), null);
    assert.equal(await store.byTokenKey('not a key'), null);
  });

  test(`${name}: tags are given and taken, each change an event that keeps the status; lists filter by tag; counts say what is in use`, async (t) => {
    const store = await make(t, ticking());
    await store.add({ ...ada, status: 'active' });
    await store.add({ ...ada, email: 'bo@example.com', emailNormalized: 'bo@example.com', status: 'active' });
    await store.add({ ...ada, email: 'cy@example.com', emailNormalized: 'cy@example.com', status: 'unsubscribed' });
    assert.deepEqual(await store.addTags('ada@example.com', [' Paid', 'vip', 'paid'], 'cli'), ['paid', 'vip'], 'normalised, once each');
    assert.deepEqual(await store.addTags('ada@example.com', ['vip', 'early-bird'], 'cli'), ['early-bird'], 'only what was new');
    assert.deepEqual(await store.addTags('bo@example.com', ['paid'], 'form'), ['paid']);
    assert.deepEqual(await store.addTags('cy@example.com', ['paid'], 'import:x.csv'), ['paid']);
    assert.deepEqual(await store.tags('ada@example.com'), ['early-bird', 'paid', 'vip']);
    assert.deepEqual(await store.tags('nobody@example.com'), []);
    assert.equal(await store.addTags('nobody@example.com', ['paid'], 'cli'), null);
    assert.equal(await store.removeTags('nobody@example.com', ['paid'], 'cli'), null);
    await assert.rejects(async () => store.addTags('ada@example.com', ['fine', 'not fine'], 'cli'), /bad tag "not fine"/);
    assert.deepEqual(await store.tags('ada@example.com'), ['early-bird', 'paid', 'vip'], 'a bad tag changes nothing');

    assert.deepEqual((await store.list({ tag: 'paid' })).map((s) => s.email), ['Ada@Example.com', 'bo@example.com', 'cy@example.com']);
    assert.deepEqual((await store.list({ tag: 'PAID', status: 'active' })).map((s) => s.email), ['Ada@Example.com', 'bo@example.com']);
    assert.deepEqual(await store.list({ tag: 'nobody-has-it' }), []);
    assert.deepEqual(await store.tagCounts(), [
      { tag: 'early-bird', subscribers: 1 },
      { tag: 'paid', subscribers: 3 },
      { tag: 'vip', subscribers: 1 },
    ]);

    assert.deepEqual(await store.removeTags('ada@example.com', ['vip', 'never-had'], 'cli'), ['vip']);
    assert.deepEqual(await store.removeTags('ada@example.com', ['vip'], 'cli'), [], 'already gone: no event');
    const byId = await store.tagsById();
    const ids = Object.fromEntries(await Promise.all(['ada@example.com', 'bo@example.com'].map(async (e) => [e, (await store.get(e))!.id])));
    assert.deepEqual(byId.get(ids['ada@example.com']), ['early-bird', 'paid']);
    assert.deepEqual(byId.get(ids['bo@example.com']), ['paid']);
    assert.equal(byId.size, 3);

    const history = (await store.events('ada@example.com')).map(({ from, to, reason, via }) => ({ from, to, reason, via }));
    assert.deepEqual(history, [
      { from: null, to: 'active', reason: 'added with the CLI', via: 'cli' },
      { from: 'active', to: 'active', reason: 'tag added: paid', via: 'cli' },
      { from: 'active', to: 'active', reason: 'tag added: vip', via: 'cli' },
      { from: 'active', to: 'active', reason: 'tag added: early-bird', via: 'cli' },
      { from: 'active', to: 'active', reason: 'tag removed: vip', via: 'cli' },
    ]);
    assert.deepEqual((await store.events('cy@example.com')).at(-1), { at: (await store.events('cy@example.com')).at(-1)!.at, from: 'unsubscribed', to: 'unsubscribed', reason: 'tag added: paid', via: 'import:x.csv' });
    assert.equal((await store.get('ada@example.com'))?.status, 'active', 'tags never change a status');

    await store.purge('ada@example.com');
    assert.deepEqual(await store.tagCounts(), [{ tag: 'paid', subscribers: 2 }], 'an erasure takes the tags with it');
  });

  test(`${name}: a subscriber added with tags has them from the start, in the same transaction, each with its event`, async (t) => {
    const store = await make(t, ticking());
    await assert.rejects(async () => store.add({ ...ada, tags: ['ok', '-bad'] }), /bad tag "-bad"/);
    assert.equal(await store.get('ada@example.com'), null, 'a bad tag adds nobody');
    await store.add({ ...ada, tags: ['VIP', 'paid'] });
    assert.deepEqual(await store.tags('ada@example.com'), ['paid', 'vip']);
    const events = await store.events('ada@example.com');
    assert.deepEqual(
      events.map(({ from, to, reason, via }) => ({ from, to, reason, via })),
      [
        { from: null, to: 'pending', reason: 'added with the CLI', via: 'cli' },
        { from: 'pending', to: 'pending', reason: 'tag added: vip', via: 'cli' },
        { from: 'pending', to: 'pending', reason: 'tag added: paid', via: 'cli' },
      ],
    );
    assert.ok(events.every((e) => e.at === events[0]!.at), 'one moment: the row and its tags');
  });

  test(`${name}: consent on record: an add keeps when they asked (the add, unless said), and the page, address and evidence given`, async (t) => {
    const store = await make(t, ticking());
    const plain = await store.add(ada);
    assert.deepEqual(
      { source: plain.consentSource, optedInAt: plain.optedInAt, ip: plain.consentIp, evidence: plain.consentEvidence },
      { source: null, optedInAt: plain.createdAt, ip: null, evidence: null },
    );
    const full = await store.add({
      ...ada,
      email: 'bo@example.com',
      emailNormalized: 'bo@example.com',
      source: 'form',
      consent: { source: 'https://example.org/news/first/', optedInAt: '2026-10-31T09:00:00.000Z', ip: '203.0.113.0/24', evidence: '{"OPTIN_IP":"198.51.100.7"}' },
    });
    assert.deepEqual(
      { source: full.consentSource, optedInAt: full.optedInAt, ip: full.consentIp, evidence: full.consentEvidence },
      { source: 'https://example.org/news/first/', optedInAt: '2026-10-31T09:00:00.000Z', ip: '203.0.113.0/24', evidence: '{"OPTIN_IP":"198.51.100.7"}' },
    );
    assert.equal((await store.get('bo@example.com'))?.consentIp, '203.0.113.0/24', 'read back the same');
    assert.equal((await store.list()).find((s) => s.email === 'bo@example.com')?.consentSource, 'https://example.org/news/first/');
  });
}
