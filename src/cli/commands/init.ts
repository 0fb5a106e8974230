import { relative, resolve } from 'node:path';
import { initProject } from '../../project/init-project.ts';

function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** `newsletter init [folder]`: a new newsletter, ready to preview and build, and what to do next. */
export function runInit(cwd: string, folder: string): number {
  const target = resolve(cwd, folder);
  let written: string[];
  try {
    written = initProject(target, today());
  } catch (error) {
    process.stderr.write(`newsletter init: ${(error as Error).message}\n`);
    return 1;
  }
  // As the writer typed it, so the `cd` line can be pasted.
  const where = relative(cwd, target) === '' ? '' : folder;
  process.stdout.write(
    [
      `Created a new newsletter in ${where === '' ? 'this folder' : where}:`,
      ...written.map((f) => `  ${f}`),
      '',
      'Next:',
      ...(where === '' ? [] : [`  cd ${where.includes(' ') ? JSON.stringify(where) : where}`]),
      '  newsletter preview          # the sample issue on a desktop and a phone, live as you edit',
      '  newsletter build            # the emails and the web archive, into dist/',
      '  cp .env.example .env        # then fill in NEWSLETTER_SECRET (openssl rand -hex 32) and SMTP_URL',
      '',
    ].join('\n'),
  );
  return 0;
}
