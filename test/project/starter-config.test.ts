/** `newsletter init`'s config (issue 17): the machine's timezone, and commented schedule: and automations: that work. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import { initProject, machineTimeZone } from '../../src/project/init-project.ts';
import { starterNewsletterYaml } from '../../src/project/starter-files.ts';

/** The text with the commented block that starts at `# <key>:` uncommented. */
function uncomment(text: string, key: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(lines.find((l) => l.startsWith(`# ${key}:`))!);
  assert.ok(start >= 0, `no commented ${key}:`);
  for (let i = start; i < lines.length && lines[i]!.startsWith('#'); i++) lines[i] = lines[i]!.slice(2);
  return lines.join('\n');
}

test('the starter config names the zone it is given, and it validates', () => {
  assert.equal(parseConfig(starterNewsletterYaml('America/New_York')).timezone, 'America/New_York');
  assert.equal(parseConfig(starterNewsletterYaml(machineTimeZone())).timezone, machineTimeZone());
});

test('its commented schedule: and automations: examples parse once uncommented', () => {
  const text = uncomment(uncomment(starterNewsletterYaml('Europe/Berlin'), 'schedule'), 'automations');
  const config = parseConfig(text);
  assert.equal(config.schedule.maxDelayMs, 3_600_000);
  assert.deepEqual(config.automations.sequences.map((s) => [s.id, s.steps.length]), [['welcome', 1], ['onboarding', 2]]);
});

test('init writes the zone into newsletter.yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-init-tz-'));
  try {
    initProject(join(dir, 'letter'), '2026-12-03', 'Asia/Tokyo');
    assert.match(readFileSync(join(dir, 'letter', 'newsletter.yaml'), 'utf8'), /^timezone: Asia\/Tokyo$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
