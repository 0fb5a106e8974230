/**
 * What every SubscriberStore must do, whatever the database: the SQLite store runs it (sqlite.test.ts), and the
 * PostgreSQL store the same (pg-stores.test.ts), each through its own `make`.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ImportCounts, ImportRow, SubscriberStore } from '../../src/subscribers/subscriber.ts';

/** Makes an empty store whose clock is `now`; cleans up after the test. */
export type MakeStore = (t: TestContext, now: () => Date) => SubscriberStore | Promise<SubscriberStore>;

/** A subscriber's consent columns and tags, read from the database under `store` (no store method reads them yet). */
export type ReadImported = (
  store: SubscriberStore,
  emailNormalized: string,
) => Promise<{ consent_source: string | null; opted_in_at: string | null; consent_ip: string | null; consent_evidence: string | null; tags: string[] }>;

const plain = (c: ImportCounts) => ({ imported: c.imported, updated: c.updated, unchanged: c.unchanged });

const ada = { email: 'Ada@Example.com', emailNormalized: 'ada@example.com', name: 'Ada', status: 'pending' as const, source: 'cli', reason: 'added with the CLI' };

export function subscriberStoreContract(name: string, make: MakeStore, readImported?: ReadImported): void {
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
    assert.deepEqual(plain(await store.importMany(rows, 'import:list.csv', { onProgress: (done) => progress.push(done) })), { imported: 1, updated: 1, unchanged: 0 });
    assert.deepEqual(progress, [2]);
    assert.equal((await store.get('gone@example.com'))?.status, 'unsubscribed');
    assert.equal((await store.get('new@example.com'))?.status, 'active');
    assert.deepEqual((await store.get('new@example.com'))?.attributes, { city: 'Leeds' });
    assert.deepEqual((await store.events('new@example.com')).map((e) => e.via), ['import:list.csv']);
    assert.deepEqual(plain(await store.importMany(rows, 'import:list.csv')), { imported: 0, updated: 0, unchanged: 2 });
    assert.deepEqual(plain(await store.importMany([{ ...rows[0]!, emailNormalized: 'dry@example.com', email: 'dry@example.com' }], 'x', { dryRun: true })), { imported: 1, updated: 0, unchanged: 0 });
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

  test(`${name}: an import from a file that says people left: new ones suppressed, a known active one leaves with the file as reason, a suppressed one stays`, async (t) => {
    const store = await make(t, ticking());
    await store.importMany([row('stay@example.com'), row('leaves@example.com'), row('pending@example.com')], 'import:first.csv');
    await store.setStatus('pending@example.com', 'pending', 'test', 'cli');
    await store.add({ ...ada, email: 'bounced@example.com', emailNormalized: 'bounced@example.com', status: 'bounced' });
    const file: ImportRow[] = [
      { ...row('new-unsub@example.com'), status: 'unsubscribed', left: true },
      { ...row('new-bounce@example.com'), status: 'bounced', left: true },
      { ...row('new-spam@example.com'), status: 'complained', left: true },
      { ...row('leaves@example.com'), status: 'unsubscribed', left: true },
      { ...row('bounced@example.com'), status: 'unsubscribed', left: true },
      { ...row('pending@example.com'), status: 'unsubscribed', left: true },
      row('stay@example.com'),
    ];
    const dry = await store.importMany(file, 'import:unsubscribed_members_export_1.csv', { dryRun: true });
    assert.equal((await store.get('leaves@example.com'))?.status, 'active', 'a dry run changes nobody');
    const counts = await store.importMany(file, 'import:unsubscribed_members_export_1.csv');
    assert.deepEqual(dry, counts, 'a dry run counts what the import then does');
    assert.deepEqual(plain(counts), { imported: 3, updated: 1, unchanged: 3 });
    assert.deepEqual(counts.importedAs, { pending: 0, active: 0, unsubscribed: 1, bounced: 1, complained: 1 });
    assert.deepEqual(counts.became, { pending: 0, active: 0, unsubscribed: 1, bounced: 0, complained: 0 });
    for (const [email, status] of [
      ['new-unsub@example.com', 'unsubscribed'],
      ['new-bounce@example.com', 'bounced'],
      ['new-spam@example.com', 'complained'],
      ['leaves@example.com', 'unsubscribed'],
      ['bounced@example.com', 'bounced'],
      ['pending@example.com', 'pending'],
      ['stay@example.com', 'active'],
    ] as const) {
      assert.equal((await store.get(email))?.status, status, email);
    }
    assert.equal((await store.get('new-unsub@example.com'))?.unsubscribedAt !== null, true);
    const left = (await store.events('leaves@example.com')).at(-1)!;
    assert.deepEqual([left.from, left.to, left.reason, left.via], ['active', 'unsubscribed', 'unsubscribed according to unsubscribed_members_export_1.csv', 'import:unsubscribed_members_export_1.csv']);
    assert.deepEqual((await store.events('new-spam@example.com')).map((e) => [e.from, e.to]), [[null, 'complained']]);
    // An active person in a later subscribed file is not brought back, and a suppressed one never is.
    await store.importMany([row('leaves@example.com'), row('bounced@example.com')], 'import:subscribed_members_export_1.csv');
    assert.equal((await store.get('leaves@example.com'))?.status, 'unsubscribed');
    assert.equal((await store.get('bounced@example.com'))?.status, 'bounced');
  });

  test(`${name}: an import adds the file's tags, an event each, once; a known address only tagged counts as updated`, async (t) => {
    const store = await make(t, ticking());
    await store.importMany([row('known@example.com')], 'import:first.csv');
    const file: ImportRow[] = [
      { ...row('new@example.com'), tags: ['paid', 'weekly'] },
      { ...row('known@example.com'), tags: ['paid'] },
      { ...row('gone@example.com'), status: 'unsubscribed', left: true, tags: ['paid'] },
    ];
    assert.deepEqual(plain(await store.importMany(file, 'import:ghost.csv')), { imported: 2, updated: 1, unchanged: 0 });
    const tagEvents = (email: string) => store.events(email).then((events) => events.filter((e) => e.reason.startsWith('tag')).map((e) => [e.from, e.to, e.reason, e.via]));
    assert.deepEqual(await tagEvents('new@example.com'), [
      ['active', 'active', 'tag added: paid', 'import:ghost.csv'],
      ['active', 'active', 'tag added: weekly', 'import:ghost.csv'],
    ]);
    assert.deepEqual(await tagEvents('known@example.com'), [['active', 'active', 'tag added: paid', 'import:ghost.csv']]);
    assert.deepEqual(await tagEvents('gone@example.com'), [['unsubscribed', 'unsubscribed', 'tag added: paid', 'import:ghost.csv']]);
    assert.deepEqual(plain(await store.importMany(file, 'import:ghost.csv')), { imported: 0, updated: 0, unchanged: 3 }, 'the same tags again change nothing');
    assert.equal((await tagEvents('new@example.com')).length, 2);
    if (readImported) assert.deepEqual((await readImported(store, 'new@example.com')).tags, ['paid', 'weekly']);
  });

  test(`${name}: leaving a topic and coming back are events, the status unchanged; each only once`, async (t) => {
    const store = await make(t, ticking());
    await store.add({ ...ada, status: 'active' });
    assert.equal(await store.leaveTopic('ada@example.com', 'alerts', 'one-click'), true);
    assert.equal(await store.leaveTopic('ada@example.com', 'alerts', 'one-click'), false, 'already left: no second event');
    assert.equal(await store.leaveTopic('ada@example.com', 'culture', 'preferences'), true);
    assert.deepEqual(await store.topicsLeft('ada@example.com'), ['alerts', 'culture']);
    assert.equal(await store.rejoinTopic('ada@example.com', 'alerts', 'preferences'), true);
    assert.equal(await store.rejoinTopic('ada@example.com', 'alerts', 'preferences'), false);
    assert.deepEqual(await store.topicsLeft('ada@example.com'), ['culture']);
    assert.equal((await store.get('ada@example.com'))!.status, 'active');
    assert.deepEqual((await store.events('ada@example.com')).slice(1).map((e) => [e.from, e.to, e.reason, e.via]), [
      ['active', 'active', 'left topic: alerts', 'one-click'],
      ['active', 'active', 'left topic: culture', 'preferences'],
      ['active', 'active', 'rejoined topic: alerts', 'preferences'],
    ]);
    assert.equal(await store.leaveTopic('nobody@example.com', 'alerts', 'one-click'), null);
    assert.deepEqual(await store.topicsLeft('nobody@example.com'), []);
  });

  test(`${name}: a new address keeps the file's consent: the file's name, opt-in time, IP and evidence as JSON`, { skip: readImported ? false : 'no reader' }, async (t) => {
    const store = await make(t, ticking());
    await store.importMany(
      [
        { ...row('ana@example.com'), consent: { optedInAt: '2024-01-05 10:00:00', ip: '203.0.113.5', evidence: { OPTIN_TIME: '2024-01-05 10:00:00', CONFIRM_IP: '203.0.113.5' } } },
        row('plain@example.com'),
      ],
      'import:subscribed_members_export_1.csv',
    );
    const ana = await readImported!(store, 'ana@example.com');
    assert.equal(ana.consent_source, 'subscribed_members_export_1.csv');
    assert.equal(ana.opted_in_at, '2024-01-05 10:00:00');
    assert.equal(ana.consent_ip, '203.0.113.5');
    assert.deepEqual(JSON.parse(ana.consent_evidence!), { OPTIN_TIME: '2024-01-05 10:00:00', CONFIRM_IP: '203.0.113.5' });
    const plainRow = await readImported!(store, 'plain@example.com');
    assert.deepEqual([plainRow.consent_source, plainRow.opted_in_at, plainRow.consent_ip, plainRow.consent_evidence], ['subscribed_members_export_1.csv', null, null, null]);
    // A known address keeps the consent it had.
    await store.importMany([{ ...row('ana@example.com'), consent: { optedInAt: '2030-01-01', evidence: {} } }], 'import:later.csv');
    assert.equal((await readImported!(store, 'ana@example.com')).consent_source, 'subscribed_members_export_1.csv');
  });
}

const row = (email: string): ImportRow => ({ email, emailNormalized: email, name: '', attributes: {} });
