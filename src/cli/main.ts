import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { join, resolve } from 'node:path';
import { withEnvFile } from '../config/env-file.ts';
import { readEnvironment, type Environment } from '../config/environment.ts';
import { DiagnosticError, formatDiagnostic } from '../core/diagnostic.ts';
import { isRealDate } from '../issue/date.ts';
import { SLUG_PATTERN } from '../issue/slug.ts';
import { databaseRefusal, findProject, type Project } from '../project/root.ts';
import { quietWhenOutputCloses } from './closed-output.ts';
import { STATUSES } from '../subscribers/subscriber.ts';

function dateOption(value: string): string {
  if (!isRealDate(value)) throw new InvalidArgumentError('expected a real date written YYYY-MM-DD');
  return value;
}

/**
 * A DiagnosticError from any bundle: the render stack is bundled apart (lib/render-stack.cjs) with its own copy of
 * the class, so `instanceof` misses the config errors it throws.
 */
function isDiagnosticError(error: unknown): error is DiagnosticError {
  return error instanceof DiagnosticError || (error instanceof Error && error.name === 'DiagnosticError' && Array.isArray((error as DiagnosticError).diagnostics));
}

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return port;
}

/** Servers listen on this computer only unless told otherwise. */
const HOST_FLAG = new Option('--host <address>', 'address to listen on (127.0.0.1: this computer only)').default('127.0.0.1');

function portFlag(port: number): Option {
  return new Option('--port <number>', 'port to listen on').argParser(portOption).default(port);
}

/** `--rate 50` or `--rate 50/s`: a positive whole number of messages a second. */
function rateOption(value: string): number {
  const rate = Number(value.replace(/\/s$/, ''));
  if (!Number.isInteger(rate) || rate < 1) throw new InvalidArgumentError('expected messages a second, like 50 or 50/s');
  return rate;
}

function countOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

interface SendFlags {
  test?: string[];
  yes: boolean;
  dryRun: boolean;
  rate?: number;
  concurrency?: number;
  resume: boolean;
  resendInDoubt: boolean;
  forceResend: boolean;
  wait: boolean;
  json: boolean;
  skipImageCheck: boolean;
  segment?: string;
  at?: string;
}

function slugOption(value: string): string {
  if (!SLUG_PATTERN.test(value)) throw new InvalidArgumentError('expected lower-case letters, digits and single hyphens');
  return value;
}

/** The project the command runs in, found from the current folder upwards (see src/project/root.ts). */
function here(): Project {
  return findProject(process.cwd());
}

let read: Environment | undefined;

/**
 * The environment, read and checked once, the first time a command needs it (config/environment.ts), over the
 * project's `.env` (config/env-file.ts).
 */
function environment(): Environment {
  read ??= readEnvironment(withEnvFile(here().root, process.env));
  return read;
}

/** The same, for a command that opens the subscriber database: outside any project it refuses to make a new one. */
function hereWithDatabase(): Project {
  const project = here();
  const refusal = databaseRefusal(project, environment());
  if (refusal) throw new Error(refusal);
  return project;
}

/**
 * Declares the commands and flags; each command's work lives in commands/<name>.ts, loaded only when it runs so
 * that start-up stays fast. Returns the exit code.
 */
export async function main(argv: readonly string[]): Promise<number> {
  quietWhenOutputCloses();
  let code = 0;
  const program = new Command()
    .name('newsletter')
    .description('Markdown issues to responsive email, a web archive and SMTP sending.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('build')
    .description('render issues into dist/<slug>/ (email.html, email.txt, email.mjml, meta.json)')
    .argument('[files...]', 'issue files (default: every issues/*.md)')
    .option('--out <dir>', 'output folder (default: dist in the project folder)')
    .option('--force', 'rebuild issues even when unchanged since the last build', false)
    .action(async (files: string[], opts: { out?: string; force: boolean }) => {
      const { runBuild } = await import('./commands/build.ts');
      const { root, cwd } = here();
      // Paths typed on the command line mean what they mean from the current folder; the default is the project's.
      const outDir = opts.out === undefined ? join(root, 'dist') : resolve(cwd, opts.out);
      code = await runBuild({ root, files: files.map((f) => resolve(cwd, f)), outDir, force: opts.force });
    });

  program
    .command('check')
    .description('print every diagnostic as "file:line severity rule message"; exit 1 on errors')
    .argument('[files...]', 'issue files (default: every issues/*.md)')
    .option('--json', 'print the diagnostics as JSON', false)
    .action(async (files: string[], opts: { json: boolean }) => {
      const { runCheck } = await import('./commands/check.ts');
      const { root, cwd } = here();
      code = await runCheck({ root, files: files.map((f) => resolve(cwd, f)), json: opts.json });
    });

  program
    .command('init')
    .description('create a new newsletter in an empty folder: config, templates, a sample issue, .gitignore, .env.example')
    .argument('[folder]', 'the folder (made when missing)', '.')
    .action(async (folder: string) => {
      code = (await import('./commands/init.ts')).runInit(process.cwd(), folder);
    });

  program
    .command('new')
    .description('create issues/YYYY-MM-DD-<slug>.md with its front matter filled in')
    .argument('<title>', 'the issue title')
    .option('--date <YYYY-MM-DD>', "the issue date (default: today's)", dateOption)
    .option('--slug <slug>', 'the slug for the file name (default: made from the title)', slugOption)
    .action(async (title: string, opts: { date?: string; slug?: string }) => {
      const { runNew } = await import('./commands/new.ts');
      const { root, found } = here();
      code = await runNew({ root, title, date: opts.date, slug: opts.slug, startProject: !found });
    });

  program
    .command('preview')
    .description('a live preview in the browser: phone and desktop, text, sources, diagnostics, reload on save')
    .addOption(portFlag(4321))
    .addOption(HOST_FLAG)
    .option('--smtp-port <number>', 'port of the local inbox (SMTP, on 127.0.0.1)', portOption, 2525)
    .option('--open', 'open the preview in the default browser', false)
    .action(async (opts: { port: number; host: string; smtpPort: number; open: boolean }) => {
      const { runPreview } = await import('./commands/preview.ts');
      code = await runPreview({ root: here().root, port: opts.port, host: opts.host, smtpPort: opts.smtpPort, open: opts.open, databasePath: environment().databasePath });
    });

  program
    .command('send')
    .description('send the issue to every active subscriber through the ledger (or, with --test, to given addresses only)')
    .argument('<issue>', 'the issue file or its slug')
    .option('--test <address>', 'send only a test, marked in the subject, to this address (repeat for more); recorded nowhere', (value: string, all: string[] = []) => [...all, value])
    .option('--yes', 'do not ask for confirmation', false)
    .option('--dry-run', 'show what would happen; send nothing, change nothing', false)
    .option('--rate <n/s>', 'at most this many messages a second (overrides sending.rate_per_second)', rateOption)
    .option('--concurrency <n>', 'SMTP connections at once (overrides sending.concurrency)', countOption(1, 50))
    .option('--resume', 'continue the send already begun; never start a new one', false)
    .option('--resend-in-doubt', 'also send again the messages left in doubt by a crash (their subscribers may get two copies)', false)
    .option('--force-resend', 'send an issue that was already sent, again, to everyone active now', false)
    .option('--no-wait', 'end the run when only retries that are not yet due remain (continue later with --resume)')
    .option('--segment <expression>', "only to the active subscribers a segment matches: an expression (tag:paid and not tag:lapsed) or a name from the config's segments: (overrides the issue's segment:)")
    .option('--json', 'print the summary as JSON on stdout', false)
    .option('--skip-image-check', "send without checking that the email's images answer at their published URLs", false)
    .option('--at <time>', "schedule the send instead: ISO 8601 with an offset (2026-12-04T07:00+01:00), or a local time in the config's timezone (2026-12-04 07:00); a worker sends it then")
    .action(async (issue: string, opts: SendFlags) => {
      const { runSend } = await import('./commands/send.ts');
      const { root, cwd } = opts.test ? here() : hereWithDatabase();
      code = await runSend({
        root,
        cwd,
        issue,
        test: opts.test ?? [],
        skipImageCheck: opts.skipImageCheck,
        at: opts.at ?? null,
        environment: environment(),
        list: {
          yes: opts.yes,
          dryRun: opts.dryRun,
          rate: opts.rate ?? null,
          concurrency: opts.concurrency ?? null,
          resume: opts.resume,
          resendInDoubt: opts.resendInDoubt,
          forceResend: opts.forceResend,
          wait: opts.wait,
          json: opts.json,
          segment: opts.segment ?? null,
        },
      });
    });

  const schedule = program
    .command('schedule')
    .description('the scheduled sends still to go (and those ended lately): issue, time, segment, topic, count, state')
    .option('--json', 'as JSON', false)
    .action(async (opts: { json: boolean }) => {
      const { runScheduleList } = await import('./commands/schedule.ts');
      code = await runScheduleList({ ...hereWithDatabase(), environment: environment(), json: opts.json });
    });
  schedule
    .command('cancel')
    .description('cancel the schedule of an issue whose send has not started')
    .argument('<issue>', 'the issue file or its slug')
    .action(async (issue: string) => {
      const { runScheduleCancel } = await import('./commands/schedule.ts');
      code = await runScheduleCancel({ ...hereWithDatabase(), environment: environment(), json: false }, issue);
    });

  program
    .command('worker')
    .description('run scheduled sends, welcome emails and sequences until SIGTERM (several on PostgreSQL; one at a time on SQLite)')
    .addOption(new Option('--poll <ms>', 'how often to look for due work, in ms').argParser(countOption(50, 60_000)).default(1000).hideHelp())
    .action(async (opts: { poll: number }) => {
      const { runWorkerCommand } = await import('./commands/worker.ts');
      code = await runWorkerCommand({ root: hereWithDatabase().root, environment: environment(), pollMs: opts.poll });
    });

  program
    .command('status')
    .description('where each send stands: counts by state, rate, ETA, errors, messages in doubt')
    .argument('[issue]', 'the issue file or its slug (default: every send)')
    .option('--json', 'as JSON', false)
    .option('--automations', "each welcome email's and sequence's steps: waiting, sent, skipped, failed, in doubt", false)
    .action(async (issue: string | undefined, opts: { json: boolean; automations: boolean }) => {
      const { runStatus } = await import('./commands/status.ts');
      code = await runStatus({ ...hereWithDatabase(), databasePath: environment().databasePath, issue: issue ?? null, json: opts.json, automations: opts.automations });
    });

  program
    .command('bounces')
    .description('read returned mail (bounces, spam complaints, emailed unsubscribe requests) and update the list')
    .argument('[paths...]', '.eml files, mbox files or folders (Maildir)')
    .option('--imap', 'read the mailbox at IMAP_URL instead: messages not read before, each flagged $NewsletterHandled once applied', false)
    .option('--imap-move <folder>', 'with --imap (implied): move each handled message to this folder (created when missing)')
    .option('--dry-run', 'say what would change; change nothing (and flag or move no message)', false)
    .option('--json', 'as JSON', false)
    .action(async (paths: string[], opts: { dryRun: boolean; json: boolean; imap: boolean; imapMove?: string }) => {
      const { runBounces } = await import('./commands/bounces.ts');
      const { root, cwd } = hereWithDatabase();
      const imap = opts.imap || opts.imapMove !== undefined ? { moveTo: opts.imapMove ?? null } : null;
      code = await runBounces({ root, environment: environment(), paths: paths.map((p) => resolve(cwd, p)), imap, dryRun: opts.dryRun, json: opts.json });
    });

  program
    .command('serve')
    .description('the public server: sign-up with double opt-in, confirm, one-click unsubscribe (needs NEWSLETTER_SECRET, and SMTP_URL or --outbox)')
    .addOption(portFlag(8787))
    .addOption(HOST_FLAG)
    .option('--outbox [dir]', 'write confirmation emails as .eml files in dir (default: dist/outbox/confirmations) instead of sending them through SMTP_URL')
    .option('--worker', 'also run the worker in this process: scheduled sends, welcome emails and sequences', false)
    .action(async (opts: { port: number; host: string; outbox?: string | true; worker: boolean }) => {
      const { runServe, DEFAULT_CONFIRMATION_OUTBOX } = await import('./commands/serve.ts');
      const outbox = opts.outbox === true ? DEFAULT_CONFIRMATION_OUTBOX : (opts.outbox ?? null);
      code = await runServe({ root: hereWithDatabase().root, port: opts.port, host: opts.host, environment: environment(), outbox, worker: opts.worker });
    });

  const subscribers = program.command('subscribers').description('the subscriber list (SQLite: data/newsletter.db, or NEWSLETTER_DB)');
  const ctx = () => ({ ...hereWithDatabase(), environment: environment() });
  const statuses = [...STATUSES];
  subscribers
    .command('add')
    .description('add a subscriber: pending, with a confirmation email sent now, unless --confirmed')
    .argument('<email>')
    .option('--name <name>', 'their name')
    .option('--confirmed', 'they already confirmed: add them as active', false)
    .option('--tag <tag>', 'give them this tag (repeatable)', (tag: string, tags: string[] = []) => [...tags, tag])
    .action(async (email: string, opts: { name?: string; confirmed: boolean; tag?: string[] }) => {
      code = await (await import('./commands/subscribers.ts')).runAdd(ctx(), email, opts);
    });
  subscribers
    .command('tag')
    .description('give a subscriber tags (lower-case letters, digits and hyphens, at most 40 characters)')
    .argument('<email>')
    .argument('<tags...>')
    .action(async (email: string, tags: string[]) => {
      code = await (await import('./commands/subscribers.ts')).runTag(ctx(), email, tags, { remove: false });
    });
  subscribers
    .command('untag')
    .description('take tags away from a subscriber')
    .argument('<email>')
    .argument('<tags...>')
    .action(async (email: string, tags: string[]) => {
      code = await (await import('./commands/subscribers.ts')).runTag(ctx(), email, tags, { remove: true });
    });
  subscribers
    .command('confirm')
    .description('confirm a pending subscriber (they agreed some other way): now active')
    .argument('<email>')
    .action(async (email: string) => {
      code = await (await import('./commands/subscribers.ts')).runConfirm(ctx(), email);
    });
  subscribers
    .command('resend-confirmation')
    .description('send a pending subscriber a new confirmation link')
    .argument('<email>')
    .action(async (email: string) => {
      code = await (await import('./commands/subscribers.ts')).runResendConfirmation(ctx(), email);
    });
  subscribers
    .command('remove')
    .description('unsubscribe someone (kept, marked unsubscribed); --purge deletes them and their history')
    .argument('<email>')
    .option('--purge', 'delete the row and its events, for an erasure request', false)
    .action(async (email: string, opts: { purge: boolean }) => {
      code = await (await import('./commands/subscribers.ts')).runRemove(ctx(), email, opts);
    });
  subscribers
    .command('list')
    .description('list subscribers')
    .addOption(new Option('--status <status>', 'only this status').choices(statuses))
    .option('--tag <tag>', 'only those with this tag')
    .option('--json', 'as JSON, with their tags', false)
    .action(async (opts: { status?: 'pending'; tag?: string; json: boolean }) => {
      code = await (await import('./commands/subscribers.ts')).runList(ctx(), opts);
    });
  subscribers
    .command('show')
    .description('one subscriber with the history of their status')
    .argument('<email>')
    .action(async (email: string) => {
      code = await (await import('./commands/subscribers.ts')).runShow(ctx(), email);
    });
  subscribers
    .command('import')
    .description('import a CSV (email and name columns found by header): all or nothing unless --partial')
    .argument('<file>', 'the CSV file')
    .option('--partial', 'import the good rows; write the rejected ones to <file>.rejected.csv', false)
    .option('--dry-run', 'count what would happen; change nothing', false)
    .option('--trigger', "the imported active subscribers enter the config's automations as if they had just confirmed (welcome email, sequences)", false)
    .action(async (file: string, opts: { partial: boolean; dryRun: boolean; trigger: boolean }) => {
      code = await (await import('./commands/subscribers-csv.ts')).runImport(ctx(), file, opts);
    });
  subscribers
    .command('export')
    .description('the list as CSV on stdout, cells a spreadsheet would run as formulas neutralised')
    .addOption(new Option('--status <status>', 'only this status').choices(statuses))
    .action(async (opts: { status?: 'pending' }) => {
      code = await (await import('./commands/subscribers-csv.ts')).runExport(ctx(), opts);
    });
  subscribers
    .command('count')
    .description('subscribers by status')
    .action(async () => {
      code = await (await import('./commands/subscribers.ts')).runCount(ctx());
    });

  const db = program
    .command('db')
    .description('the database itself: its schema (migrate, status), consistent SQLite backups and restoring one, copying SQLite into PostgreSQL');
  db.command('migrate')
    .description('apply the schema migrations the database lacks (SQLite or PostgreSQL, under a lock); refuses a schema newer than this newsletter')
    .action(async () => {
      code = await (await import('./commands/db-migrate.ts')).runDbMigrate({ root: hereWithDatabase().root, cwd: process.cwd(), environment: environment() });
    });
  db.command('status')
    .description("engine, where, schema version against this newsletter's, pending migrations, rows in the main tables; changes nothing")
    .action(async () => {
      code = await (await import('./commands/db-status.ts')).runDbStatus({ root: here().root, cwd: process.cwd(), environment: environment() });
    });
  db.command('backup')
    .description("an online, consistent copy of the SQLite database (SQLite's backup API), safe while serve or a send runs; on PostgreSQL use pg_dump")
    .argument('<file>', 'the new backup file (never overwritten)')
    .action(async (file: string) => {
      code = await (await import('./commands/db.ts')).runBackup({ root: hereWithDatabase().root, cwd: process.cwd(), environment: environment() }, file);
    });
  db.command('restore')
    .description('put a backup in place of the SQLite database (stop serve first); the current one is kept beside it; on PostgreSQL use pg_restore')
    .argument('<file>', 'a file made by db backup')
    .action(async (file: string) => {
      code = await (await import('./commands/db.ts')).runRestore({ root: here().root, cwd: process.cwd(), environment: environment() }, file);
    });
  db.command('copy')
    .description('copy the SQLite database into an empty PostgreSQL one, in one transaction, counts checked; then point NEWSLETTER_DB at it')
    .requiredOption('--to <url>', 'the PostgreSQL database: postgres://user:password@host:5432/name')
    .action(async (opts: { to: string }) => {
      code = await (await import('./commands/db-copy.ts')).runDbCopy({ root: hereWithDatabase().root, environment: environment() }, opts.to);
    });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isDiagnosticError(error)) {
      for (const d of error.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      return 1;
    }
    process.stderr.write(`newsletter: ${(error as Error).message}\n`);
    return 1;
  }
  return code;
}
