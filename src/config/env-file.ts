import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { readTextFileSync } from '../core/read-text.ts';

/** The project's file of variables (`NEWSLETTER_SECRET=…`), kept beside `newsletter.yaml` and out of git. */
export const ENV_FILE = '.env';

/**
 * The environment with the project's `.env` under it: a variable set in the environment wins over the file, even
 * when set empty (that is how a shell or a test unsets one). Read with Node's own parser (`util.parseEnv`, the one
 * behind `node --env-file`): `KEY=value` lines, `#` comments, quoted values, `\n` in double quotes. A file that is
 * not UTF-8 is an error naming it and the line. No file, no change.
 */
export function withEnvFile(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = join(root, ENV_FILE);
  if (!existsSync(path)) return env;
  const fromFile = parseEnv(readTextFileSync(path, ENV_FILE));
  return { ...fromFile, ...env };
}
