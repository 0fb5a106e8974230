import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from './manifest.ts';

/** Written next to the bundles by scripts/bundle.mjs: the hash of the render stack as built. */
export const FINGERPRINT_FILE = 'renderer-fingerprint.txt';

let cached: string | undefined;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
    .sort();
}

/**
 * Identifies the renderer that made an output, so that after an upgrade (new styles, a fixed sanitiser, another MJML)
 * every issue is rebuilt instead of being skipped as unchanged. The bundle carries its own hash; run from source, the
 * hash of the source files and the lockfile stands in.
 */
export function rendererFingerprint(): string {
  if (cached !== undefined) return cached;
  try {
    cached = readFileSync(new URL(`./${FINGERPRINT_FILE}`, import.meta.url), 'utf8').trim();
  } catch {
    const src = fileURLToPath(new URL('..', import.meta.url));
    const files = [...sourceFiles(src), join(src, '..', 'package-lock.json')];
    cached = sha256(...files.map((f) => readFileSync(f)));
  }
  return cached;
}
