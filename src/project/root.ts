import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILE } from '../config/config-file.ts';
import type { Environment } from '../config/environment.ts';
import { databaseFile } from '../store/database-path.ts';

/** Where a command works: the project's folder, and the folder it was run in. */
export interface Project {
  /** The nearest folder upwards holding `newsletter.yaml` (as git finds `.git`); else the current folder. */
  root: string;
  /** The folder the command was run in: paths given on the command line are relative to it. */
  cwd: string;
  /** Whether `root` holds `newsletter.yaml`; without it the project runs on the defaults. */
  found: boolean;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Finds the project `cwd` is in: run from `issues/`, a command uses the project's config, issues and database. */
export function findProject(cwd: string): Project {
  const start = resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    if (isFile(join(dir, CONFIG_FILE))) return { root: dir, cwd: start, found: true };
    if (dirname(dir) === dir) return { root: start, cwd: start, found: false };
  }
}

/**
 * Why a command must not open the subscriber database here, or null. Outside any project, and with no
 * `NEWSLETTER_DB` and no database in this folder, opening it would create a new, empty list in a random folder.
 */
export function databaseRefusal(project: Project, environment: Pick<Environment, 'databasePath'>): string | null {
  if (project.found || environment.databasePath !== null || existsSync(databaseFile(project.root, null))) return null;
  return `no ${CONFIG_FILE} in ${project.cwd} or any folder above it: run this in the project folder (the one with ${CONFIG_FILE}), or set NEWSLETTER_DB to the subscriber database`;
}
