/**
 * The CLI end to end on PostgreSQL (issue 15): one writer's story on one database, every step a real `newsletter`
 * process and what it prints. An import, a reader's double opt-in through a running `serve`, a send, a one-click
 * unsubscribe from a delivered message's header (RFC 8058), a bounce report, a second send to those left, and the
 * preview's desk reading it all back.
 * Skipped without NEWSLETTER_TEST_PG (`.ci/run` always sets it).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { startCli } from '../support/cli-process.ts';
import { issueText, projectFor } from '../support/fixtures.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { dsn } from '../support/returned-mail.ts';
import { startSmtpPeer, type ReceivedMessage } from '../support/smtp-peer.ts';

/** Waits for what a separate process does in its own time (serve mails from its queue); gives up, loudly, after a while. */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (const end = Date.now() + 30_000; !condition(); ) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await sleep(20);
  }
}

/** `newsletter serve` on the project's database; its URL once it says where it listens, and everything it printed. */
function startServe(t: TestContext, dir: string, env: Record<string, string>) {
  const run = startCli(dir, ['serve', '--port', '0'], env);
  t.after(() => run.child.kill('SIGKILL'));
  let output = '';
  run.child.stdout!.on('data', (d: string) => (output += d));
  run.child.stderr!.on('data', (d: string) => (output += d));
  const url = new Promise<string>((resolve, reject) => {
    run.child.stdout!.on('data', () => {
      const found = /Serving sign-up, confirm and unsubscribe at (http:\/\/\S+\/)/.exec(output)?.[1];
      if (found) resolve(found);
    });
    run.child.on('exit', () => reject(new Error(`serve exited early: ${output}`)));
  });
  return { run, url, output: () => output };
}

/** A header of a raw message, folded lines joined. */
function header(message: ReceivedMessage, name: string): string {
  const head = message.raw.toString('utf8').split(/\r\n\r\n/)[0]!.replace(/\r\n[ \t]+/g, ' ');
  const found = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
  assert.ok(found, `${message.to}'s copy has a ${name} header`);
  return found[1]!.trim();
}

/** The path of a link in the newsletter's public URL, on the running serve instead. */
const onServe = (serve: string, link: string) => new URL(new URL(link).pathname.slice(1), serve).toString();

test('pg end to end: import, double opt-in through serve, a send, one-click unsubscribe, a bounce, a second send to those left; the desk shows it', needsPg, async (t) => {
  const dir = projectFor(t, {
    'issues/2026-11-02-the-vote.md': issueText('Dear {{subscriber.name}}, the council votes on Tuesday.', 'title: The vote\ndate: 2026-11-02\nstatus: ready'),
    'issues/2026-11-09-the-count.md': issueText('Dear {{subscriber.name}}, the votes are counted.', 'title: The count\ndate: 2026-11-09\nstatus: ready'),
    'list.csv': 'Email,Name\nann@example.org,Ann\nbo@example.org,Bo\ncy@example.org,Cy\n',
  });
  const peer = await startSmtpPeer();
  t.after(() => peer.close());
  const env = { NEWSLETTER_DB: await freshPgDatabase(t), SMTP_URL: peer.url };
  const cli = async (...args: string[]) => {
    const r = await startCli(dir, args, env).done;
    assert.equal(r.status, 0, `newsletter ${args.join(' ')}: ${r.stderr}`);
    // What the writer's terminal shows: the summary and the progress lines are on stderr.
    return r.stdout + r.stderr;
  };
  const show = (email: string) => cli('subscribers', 'show', email);

  // 1. An existing list comes in.
  assert.match(await cli('subscribers', 'import', 'list.csv'), /^3 imported \+ 0 updated \+ 0 duplicates \+ 0 rejected = 3 rows$/m);
  const counted = await cli('subscribers', 'count');
  assert.match(counted, /^active +3$/m);
  assert.match(counted, /^total +3$/m);

  // 2. A reader signs up on the public server, gets the confirmation email, follows its link and presses the button.
  const serve = startServe(t, dir, env);
  const base = await serve.url;
  const signUp = await fetch(`${base}subscribe`, { method: 'POST', body: new URLSearchParams({ email: 'dee@example.org', name: 'Dee' }) });
  assert.equal(signUp.status, 200);
  assert.match(await show('dee@example.org'), /^dee@example\.org.*: pending$/m);
  await until('the confirmation email', () => peer.copiesOf('dee@example.org') === 1);
  const confirmation = await simpleParser(peer.received().find((m) => m.to === 'dee@example.org')!.raw);
  const confirmLink = /https:\/\/dissentdesk\.example\.org\/confirm\/[A-Za-z0-9_.-]+/.exec(confirmation.text ?? '')?.[0];
  assert.ok(confirmLink, `a confirm link in: ${confirmation.text}`);
  const landing = await fetch(onServe(base, confirmLink));
  assert.equal(landing.status, 200);
  const page = await landing.text();
  assert.match(page, /Confirm my subscription/);
  assert.match(await show('dee@example.org'), /: pending$/m, 'a visit alone (a link scanner) confirms nothing');
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  assert.ok(action, 'the page has a form');
  const confirmed = await fetch(new URL(action.replace(/&amp;/g, '&'), base), { method: 'POST' });
  assert.equal(confirmed.status, 200);
  assert.match(await confirmed.text(), /You are subscribed/);
  const dee = await show('dee@example.org');
  assert.match(dee, /^dee@example\.org.*: active$/m);
  assert.match(dee, /pending → active +confirmed by email/);

  // 3. The first issue goes to every active subscriber, once each.
  const before = peer.received().length;
  const sent = await cli('send', 'the-vote', '--yes');
  assert.match(sent, /^Recipients: +4 active subscribers$/m);
  assert.match(sent, /^Sent: +4 of 4$/m);
  const firstSend = peer.received().slice(before);
  assert.deepEqual(firstSend.map((m) => m.to).sort(), ['ann@example.org', 'bo@example.org', 'cy@example.org', 'dee@example.org']);
  assert.match((await simpleParser(firstSend.find((m) => m.to === 'dee@example.org')!.raw)).text ?? '', /Dear Dee, the council votes on Tuesday\./);
  const status = await cli('status', 'the-vote');
  assert.match(status, /^the-vote: finished .*4 recipients\)$/m);
  assert.match(status, /^ {2}sent +4$/m);
  assert.match(status, /^ {2}failed +0$/m);

  // 4. Ann's mail client unsubscribes her with one click: a POST to the URL in her copy's List-Unsubscribe header.
  const ann = firstSend.find((m) => m.to === 'ann@example.org')!;
  assert.equal(header(ann, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  const unsubscribeLink = /<(https:\/\/[^>]+)>/.exec(header(ann, 'List-Unsubscribe'))?.[1];
  assert.ok(unsubscribeLink, 'an https List-Unsubscribe URL');
  const oneClick = await fetch(onServe(base, unsubscribeLink), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
    redirect: 'manual',
  });
  assert.equal(oneClick.status, 200);
  assert.match(await oneClick.text(), /ann@example\.org will get no more email/);
  const annNow = await show('ann@example.org');
  assert.match(annNow, /^ann@example\.org \(Ann\): unsubscribed$/m);
  assert.match(annNow, /active → unsubscribed +one-click unsubscribe from the mail client/);
  await until('the unsubscribe logged', () => /unsubscribe a\*\*\*@example\.org: unsubscribed \(one-click\)/.test(serve.output()));

  // 5. Bo's server returns the issue: a delivery report naming the very message it refused.
  const bo = firstSend.find((m) => m.to === 'bo@example.org')!;
  writeFileSync(join(dir, 'returned.eml'), dsn({ to: 'bo@example.org', status: '5.1.1', messageId: header(bo, 'Message-ID') }));
  const bounces = await cli('bounces', 'returned.eml');
  assert.match(bounces, /^bounced +bo@example\.org +bounced \(mailbox\): 5\.1\.1/m);
  assert.match(bounces, /^1 message read; 1 bounced$/m);
  const boNow = await show('bo@example.org');
  assert.match(boNow, /^bo@example\.org \(Bo\): bounced$/m);
  assert.match(boNow, /active → bounced +bounced \(mailbox\): 5\.1\.1 .*\(via bounce-report\)/);
  const countedNow = await cli('subscribers', 'count');
  for (const [state, n] of [['active', 2], ['unsubscribed', 1], ['bounced', 1], ['total', 4]] as const) assert.match(countedNow, new RegExp(`^${state} +${n}$`, 'm'));
  // The send's own record is history: what was delivered stays delivered.
  assert.match(await cli('status', 'the-vote'), /^ {2}sent +4$/m);

  // 6. The next issue goes only to those still active.
  const beforeSecond = peer.received().length;
  const second = await cli('send', 'the-count', '--yes');
  assert.match(second, /^Recipients: +2 active subscribers$/m);
  assert.match(second, /^Sent: +2 of 2$/m);
  assert.deepEqual(peer.received().slice(beforeSecond).map((m) => m.to).sort(), ['cy@example.org', 'dee@example.org']);
  const everything = await cli('status');
  assert.match(everything, /^the-count: finished .*2 recipients\)$/m);
  assert.match(everything, /^the-vote: finished .*4 recipients\)$/m);

  serve.run.child.kill('SIGINT');
  const [code] = await once(serve.run.child, 'exit');
  assert.equal(code, 0, serve.output());

  // 7. The preview's desk reads the same database: the audience as it now stands, and both sends.
  const preview = startCli(dir, ['preview', '--port', '0', '--smtp-port', '0'], env);
  t.after(() => preview.child.kill('SIGKILL'));
  let printed = '';
  preview.child.stdout!.on('data', (d: string) => (printed += d));
  await until('the preview to start', () => /Preview at http:\/\/\S+/.test(printed));
  const home = await fetch(/Preview at (http:\/\/\S+)/.exec(printed)![1]!);
  assert.equal(home.status, 200);
  const desk = await home.text();
  for (const [state, n] of [['active', 2], ['unsubscribed', 1], ['bounced', 1], ['pending', 0]] as const) {
    assert.match(desk, new RegExp(`class="stat stat-${state}"><span class="stat-n">${n}</span>`), `${state} on the desk`);
  }
  assert.match(desk, /4 subscribers in all/);
  assert.match(desk, /<h3><a href="\/issues\/the-count">the-count<\/a><\/h3>[\s\S]*?<dt>sent<\/dt><dd>2<\/dd>/);
  assert.match(desk, /<h3><a href="\/issues\/the-vote">the-vote<\/a><\/h3>[\s\S]*?<dt>sent<\/dt><dd>4<\/dd>/);
  preview.child.kill('SIGINT');
  assert.equal((await preview.done).status, 0);
});
