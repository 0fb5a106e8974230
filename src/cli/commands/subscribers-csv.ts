import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { decodeText } from '../../core/decode-text.ts';
import { openCommandStores } from '../open-command-stores.ts';
import { loadConfig } from '../../config/load.ts';
import { STATUSES, type ImportCounts, type Status } from '../../subscribers/subscriber.ts';
import { parseCsv } from '../../subscribers/csv-read.ts';
import { csvText } from '../../subscribers/csv-write.ts';
import { exportCsv } from '../../subscribers/export-csv.ts';
import { planImport, type ImportPlan } from '../../subscribers/import-plan.ts';
import type { SubscribersContext } from './subscribers.ts';

const n = (value: number) => value.toLocaleString('en-US');

/** The rejected rows, next to the input, so they can be fixed and imported on their own. */
async function writeRejected(input: string, header: string[], plan: ImportPlan): Promise<string> {
  const path = join(dirname(input), `${basename(input).replace(/\.csv$/i, '')}.rejected.csv`);
  const records = [['line', 'reason', ...header]];
  // A row that did not parse has no cells to give back; its line number says where to look.
  for (const r of plan.rejected) records.push([String(r.line), r.reason, ...(r.cells ?? header.map(() => ''))]);
  // One csv-stringify call for all the rows: its set-up per call would cost more than a row.
  await writeFile(path, csvText(records));
  return path;
}

/** The import's outcome per status, one line each, under the summary line; lines with nothing to say left out. */
function breakdown(plan: ImportPlan, counts: ImportCounts, dryRun: boolean): string {
  const lines: string[] = [];
  for (const status of STATUSES) if (counts.importedAs[status] > 0) lines.push(`new ${status}: ${n(counts.importedAs[status])}`);
  lines.push(`updated: ${n(counts.updated)}`);
  // Known active addresses the file says left: counted in `updated`, and the lines that matter most here.
  for (const status of STATUSES) if (counts.became[status] > 0) lines.push(`${dryRun ? 'would become' : 'became'} ${status}: ${n(counts.became[status])} (active before)`);
  lines.push(`unchanged: ${n(counts.unchanged)}`);
  if (plan.duplicates > 0) lines.push(`repeated in the file: ${n(plan.duplicates)}`);
  if (plan.rejected.length > 0) lines.push(`rejected: ${n(plan.rejected.length)}`);
  for (const [reason, count] of skipReasons(plan)) lines.push(`skipped: ${n(count)} ${reason}`);
  return lines.map((line) => `  ${line}\n`).join('');
}

/** The skipped rows counted by reason, most first. */
function skipReasons(plan: ImportPlan): [string, number][] {
  const counts = new Map<string, number>();
  for (const s of plan.skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/**
 * `newsletter subscribers import <file.csv> [--partial] [--dry-run]`: all or nothing unless `--partial`; every bad
 * row listed with its line; `imported + updated + duplicates + rejected = rows`; suppressed addresses stay so.
 */
export async function runImport(ctx: SubscribersContext, file: string, opts: { partial: boolean; dryRun: boolean; trigger?: boolean }): Promise<number> {
  const input = resolve(ctx.cwd, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(input);
  } catch (error) {
    process.stderr.write(`newsletter subscribers: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return 1;
  }
  // Decoded once, as a whole: a spreadsheet's "CSV" is often Windows-1252, whose accents would import as U+FFFD.
  const decoded = decodeText(bytes, file);
  if (!decoded.ok) {
    process.stderr.write(`${file}:${decoded.problem.line} ${decoded.problem.message}\nnewsletter subscribers: nothing imported\n`);
    return 1;
  }
  const table = parseCsv(decoded.text);
  const plan = planImport(table, basename(file));
  if ('problem' in plan) {
    process.stderr.write(`newsletter subscribers: ${file}: ${plan.problem}\n`);
    return 1;
  }
  // A plain CSV's output stays as it was; another service's export says which, so a misreading shows at once.
  if (plan.format) process.stdout.write(`Recognised: ${plan.format} export\n`);
  for (const t of plan.badTags) process.stderr.write(`${file}:${t.line} the tag ${JSON.stringify(t.tag)} cannot be made a tag (lower-case letters, digits and hyphens, at most 40): left off\n`);
  for (const r of plan.rejected) process.stderr.write(`${file}:${r.line} ${r.reason}\n`);
  if (plan.rejected.length > 0 && !opts.partial) {
    process.stderr.write(
      `${n(plan.rejected.length)} bad row${plan.rejected.length === 1 ? '' : 's'} of ${n(plan.rows)}: nothing imported. Fix them, or import the good rows with --partial.\n`,
    );
    return 1;
  }
  const stores = await openCommandStores(ctx.root, ctx.environment.databasePath, 'import');
  try {
    const store = stores.subscribers;
    // Progress for big files: a line that updates itself on a terminal, a line now and then in a log.
    const tty = process.stderr.isTTY === true;
    const onProgress = (done: number, total: number) => {
      if (total < 20_000) return;
      const line = `Importing: ${n(done)} of ${n(total)} rows`;
      if (tty) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
      else if (done % 50_000 === 0 || done === total) process.stderr.write(`${line}\n`);
    };
    const via = `import:${basename(file)}`;
    // Imported readers enter no sequence unless asked (--trigger): they confirmed elsewhere, maybe long ago.
    const sequences = opts.trigger ? (await loadConfig(ctx.root)).automations.sequences : [];
    const before = sequences.length > 0 && !opts.dryRun ? await stores.automations.newestEventId() : 0;
    const counts = await store.importMany(plan.accepted, via, { dryRun: opts.dryRun, onProgress });
    const duplicates = plan.duplicates + counts.unchanged;
    const rejected = plan.rejected.length;
    const skipped = plan.skipped.length;
    if (rejected > 0 && !opts.dryRun) {
      const path = await writeRejected(input, table.header, plan);
      process.stderr.write(`Rejected rows written to ${relative(ctx.cwd, path) || path}\n`);
    }
    process.stdout.write(
      `${opts.dryRun ? 'Dry run, nothing changed: ' : ''}${n(counts.imported)} imported + ${n(counts.updated)} updated + ${n(duplicates)} duplicates + ${n(rejected)} rejected${skipped > 0 ? ` + ${n(skipped)} skipped` : ''} = ${n(plan.rows)} rows\n`,
    );
    // What happened to whom, by status: the summary alone would not show a file that unsubscribes people.
    if (opts.dryRun || plan.format) process.stdout.write(breakdown(plan, counts, opts.dryRun));
    if (opts.trigger && sequences.length === 0) process.stderr.write('newsletter subscribers import: --trigger: newsletter.yaml has no automations for them to enter\n');
    if (!opts.dryRun) {
      for (const sequence of sequences) {
        const entered = await stores.automations.enrolImported(sequence.id, sequence.trigger, via, before, Date.now());
        process.stdout.write(`--trigger: ${n(entered)} entered the sequence ${sequence.id} (a worker sends its steps)\n`);
      }
    }
    return 0;
  } finally {
    await stores.close();
  }
}

/** `newsletter subscribers export [--status S]`: CSV on stdout, every attribute, formula-like cells neutralised. */
export async function runExport(ctx: SubscribersContext, opts: { status?: Status }): Promise<number> {
  const stores = await openCommandStores(ctx.root, ctx.environment.databasePath, 'export');
  try {
    const list = await stores.subscribers.list(opts.status ? { status: opts.status } : {});
    process.stdout.write(exportCsv(list, await stores.subscribers.tagsById()));
    return 0;
  } finally {
    await stores.close();
  }
}
