import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from '../config/config-file.ts';
import { packageRoot } from './package-root.ts';
import { canonicalTimeZone } from '../automation/time-zone.ts';
import { STARTER_ENV_EXAMPLE, STARTER_GITIGNORE, starterIssue, starterNewsletterYaml } from './starter-files.ts';

/** Entries a fresh repository may already hold: `git init` first, then `newsletter init .`, is fine. */
const HARMLESS = new Set(['.git']);

/** What is in `folder` that `init` would not write over, or an empty list when it is empty (or absent). */
export function occupants(folder: string): string[] {
  if (!existsSync(folder)) return [];
  if (!statSync(folder).isDirectory()) throw new Error(`${folder} is a file, not a folder`);
  return readdirSync(folder).filter((name) => !HARMLESS.has(name)).sort();
}

/**
 * A new newsletter in `folder`: the config, the default templates (copied, so they are the writer's to change), one
 * sample issue, `.gitignore` and `.env.example`. Refuses a folder that holds anything; every file is created new
 * (`wx`), so nothing is ever overwritten. Answers the files written, relative to `folder`.
 */
/** The machine's time zone, as the config spells it; UTC when the runtime reports none it knows. */
export function machineTimeZone(): string {
  return canonicalTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC') ?? 'UTC';
}

export function initProject(folder: string, today: string, timezone = machineTimeZone()): string[] {
  const there = occupants(folder);
  if (there.length > 0) {
    const shown = there.slice(0, 8).join(', ') + (there.length > 8 ? `, and ${there.length - 8} more` : '');
    throw new Error(`${folder} is not empty (${shown}); init makes a new newsletter in an empty or new folder, and writes over nothing`);
  }
  mkdirSync(join(folder, 'issues', 'images'), { recursive: true });
  const written: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(folder, name), text, { flag: 'wx' });
    written.push(name);
  };
  write(CONFIG_FILE, starterNewsletterYaml(timezone));
  cpSync(join(packageRoot(), 'templates'), join(folder, 'templates'), { recursive: true, errorOnExist: true, force: false });
  written.push('templates/');
  write(join('issues', `${today}-welcome.md`), starterIssue(today));
  write('.gitignore', STARTER_GITIGNORE);
  write('.env.example', STARTER_ENV_EXAMPLE);
  return written;
}
