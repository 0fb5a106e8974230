import { relative } from 'node:path';
import { build } from '../../publish/build.ts';
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../../core/diagnostic.ts';

export interface BuildCommand {
  root: string;
  files: string[];
  outDir: string;
  force: boolean;
}

/** `newsletter build`: renders, reports each issue and its problems, exits 1 if any issue failed. */
export async function runBuild(cmd: BuildCommand): Promise<number> {
  const started = performance.now();
  const report = await build({ root: cmd.root, files: cmd.files, outDir: cmd.outDir, force: cmd.force });
  const out = relative(cmd.root, cmd.outDir) || '.';
  let errors = 0;
  let warnings = 0;
  const count = (d: Diagnostic) => {
    if (d.severity === 'error') errors++;
    if (d.severity === 'warning') warnings++;
  };
  // A template's diagnostics come with every issue that uses it; they are listed once, after the issues.
  const shared = new Map<string, Diagnostic>();
  for (const issue of report.issues) {
    const mark = issue.ok ? '✓' : '✗';
    const where = issue.ok && issue.slug ? ` → ${out}/${issue.slug}/${issue.skipped ? ' (unchanged)' : ''}` : '';
    process.stdout.write(`${mark} ${issue.file}${where}\n`);
    for (const d of sortDiagnostics(issue.diagnostics)) {
      if (d.file !== issue.file) {
        shared.set(formatDiagnostic(d), d);
        continue;
      }
      count(d);
      process.stdout.write(`    ${formatDiagnostic(d)}\n`);
    }
  }
  for (const d of [...sortDiagnostics([...shared.values()]), ...report.diagnostics]) {
    count(d);
    process.stdout.write(`${formatDiagnostic(d)}\n`);
  }
  const built = report.issues.filter((i) => i.ok && !i.skipped).length;
  const skipped = report.issues.filter((i) => i.skipped).length;
  const failed = report.issues.filter((i) => !i.ok).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  process.stdout.write(
    `${built} built, ${skipped} unchanged, ${failed} failed in ${seconds} s; ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
  );
  if (report.issues.length === 0) process.stdout.write('No issues found: add Markdown files to issues/ (try `newsletter new "Title"`).\n');
  return report.ok ? 0 : 1;
}
