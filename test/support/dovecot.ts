import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

const DOVECOT = '/usr/sbin/dovecot';

/** For `test` options: skipped, saying why, without Dovecot; on CI (process.env.CI) a missing Dovecot fails instead. */
export const needsDovecot = existsSync(DOVECOT) || process.env.CI ? {} : { skip: `${DOVECOT} is missing (Debian: apt-get install dovecot-imapd)` };

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  /** `imap://user:password@127.0.0.1:port/INBOX`. */
  url: string;
  /** The user's Maildir: deliver by writing a file into `new/`. */
  maildir: string;
  deliver(name: string, text: string): void;
}

const readLog = (dir: string) => {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8');
  } catch {
    return '(no log)';
  }
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/**
 * Debian's Dovecot as this user, on 127.0.0.1 and a free port, everything (config, state, logs, the Maildir) in a
 * temporary folder: one user with a static password over plain IMAP on loopback. Stopped when `t` ends.
 */
export async function startDovecot(t: Pick<TestContext, 'after'>): Promise<Dovecot> {
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing (Debian: apt-get install dovecot-imapd)`);
  const dir = mkdtempSync(join(tmpdir(), 'newsletter-dovecot-'));
  const port = await freePort();
  const me = userInfo();
  // Dovecot refuses to run its login and internal processes as root: as root, they and the mail user are nobody.
  const asRoot = me.uid === 0;
  const id = (...args: string[]) => spawnSync('id', args, { encoding: 'utf8' }).stdout.trim();
  const run = asRoot
    ? { name: 'nobody', group: id('-gn', 'nobody'), uid: Number(id('-u', 'nobody')), gid: Number(id('-g', 'nobody')) }
    : { name: me.username, group: id('-gn'), uid: me.uid, gid: me.gid };
  if (asRoot) chmodSync(dir, 0o755);
  const user = 'bounces';
  const password = 'imap-test-pw-7Q';
  const maildir = join(dir, 'mail', user);
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  const own = (path: string) => {
    if (asRoot) chownSync(path, run.uid, run.gid);
  };
  for (const path of [join(dir, 'mail'), maildir, ...['new', 'cur', 'tmp'].map((sub) => join(maildir, sub))]) own(path);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}:${run.uid}:${run.gid}::${join(dir, 'mail', user)}::\n`);
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    [
      `base_dir = ${join(dir, 'run')}`,
      `state_dir = ${join(dir, 'state')}`,
      `log_path = ${join(dir, 'dovecot.log')}`,
      `info_log_path = ${join(dir, 'dovecot.log')}`,
      `default_internal_user = ${run.name}`,
      `default_internal_group = ${run.group}`,
      `default_login_user = ${run.name}`,
      'protocols = imap',
      `listen = 127.0.0.1`,
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      `mail_location = maildir:${maildir}`,
      `first_valid_uid = ${Math.min(run.uid, 1)}`,
      'first_valid_gid = 0',
      `passdb {\n  driver = passwd-file\n  args = ${join(dir, 'passwd')}\n}`,
      `userdb {\n  driver = passwd-file\n  args = ${join(dir, 'passwd')}\n}`,
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      'service stats {\n  unix_listener stats-writer {\n    mode = 0666\n  }\n}',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'run'));
  mkdirSync(join(dir, 'state'));
  // In the foreground (-F) as a child of this process: a daemonised Dovecot would keep spawnSync's pipes open.
  const child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  // Ready when it accepts a connection.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.exitCode !== null || child.pid === undefined) {
    throw new Error(`dovecot did not start: ${stderr || readLog(dir)}`);
  }
  let n = 0;
  return {
    port,
    user,
    password,
    url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX`,
    maildir,
    deliver(name, text) {
      const file = join(maildir, 'new', `${Date.now()}.${++n}.${name}`);
      writeFileSync(file, text);
      own(file);
    },
  };
}
