import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Fails with the reason when a folder above `dir` (the system's temp folder, say) holds a newsletter.yaml: that
 * makes every folder below it part of a project, so a test about "outside any project" would test nothing there.
 */
export function assertOutsideAnyProject(dir: string): void {
  for (let at = dirname(dir); ; at = dirname(at)) {
    const config = join(at, 'newsletter.yaml');
    assert.ok(!existsSync(config) || !statSync(config).isFile(), `${config} makes every folder below it a project; remove it to run this test`);
    if (dirname(at) === at) return;
  }
}
