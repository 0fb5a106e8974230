/** timezone:, schedule: and automations: (issue 17): parsed values, and every bad one an error at its own line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticError, type Diagnostic } from '../../src/core/diagnostic.ts';
import { parseConfig } from '../../src/config/load.ts';
import { DURATION_FORMS } from '../../src/automation/duration.ts';

function configErrors(text: string): Diagnostic[] {
  try {
    parseConfig(text);
  } catch (error) {
    assert.ok(error instanceof DiagnosticError, `expected a DiagnosticError, got ${String(error)}`);
    return error.diagnostics;
  }
  assert.fail(`config was accepted:\n${text}`);
}

/** Exactly one error, at `line`, on `field`, its message matching `pattern`. */
function oneError(text: string, line: number, field: string, pattern: RegExp): void {
  const diagnostics = configErrors(text);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const [d] = diagnostics as [Diagnostic];
  assert.deepEqual([d.file, d.severity, d.line, d.field], ['newsletter.yaml', 'error', line, field], JSON.stringify(d));
  assert.match(d.message, pattern);
}

const SEQUENCES = `automations:
  welcome: issues/welcome.md
  sequences:
    - id: onboarding
      trigger: confirmed
      steps:
        - issue: issues/2026-01-01-first.md
          delay: 0
        - issue: issues/second.md
          delay: 3d
    - id: paid-intro
      trigger: tag-added:Paid
      steps:
        - issue: issues/paid.md
          delay: 30m
`;

test('timezone: an IANA name, kept in its canonical spelling', () => {
  assert.equal(parseConfig('timezone: Europe/Berlin\n').timezone, 'Europe/Berlin');
  assert.equal(parseConfig('timezone: america/new_york\n').timezone, 'America/New_York');
  assert.equal(parseConfig('timezone: UTC\n').timezone, 'UTC');
});

test('an unknown time zone is an error at its line, with the form asked for', () => {
  oneError('name: News\ntimezone: Mars/Base\n', 2, 'timezone', /^"timezone": "Mars\/Base" is not a time zone \(an IANA name like "Europe\/Berlin" or "America\/New_York"\)$/);
  oneError('timezone: "+01:00"\n', 1, 'timezone', /is not a time zone/);
  oneError('timezone: 3\n', 1, 'timezone', /time zone/);
});

test('schedule.max_delay: a duration, held in milliseconds; 1 hour by default', () => {
  assert.equal(parseConfig('').schedule.maxDelayMs, 3_600_000);
  assert.equal(parseConfig('schedule: {}\n').schedule.maxDelayMs, 3_600_000);
  assert.equal(parseConfig('schedule:\n  max_delay: 30m\n').schedule.maxDelayMs, 30 * 60_000);
  assert.equal(parseConfig('schedule:\n  max_delay: 0\n').schedule.maxDelayMs, 0);
});

test('a bad max_delay is an error at its line naming the accepted forms', () => {
  const forms = new RegExp(DURATION_FORMS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  oneError('schedule:\n  max_delay: 5\n', 2, 'schedule.max_delay', forms);
  oneError('schedule:\n  max_delay: an hour\n', 2, 'schedule.max_delay', /not "an hour"/);
});

test('an unknown key under schedule: or automations: is an error with a suggestion', () => {
  oneError('schedule:\n  max_dealy: 2h\n', 2, 'schedule.max_dealy', /did you mean "schedule\.max_delay"/);
  oneError('automations:\n  welcom: issues/w.md\n', 2, 'automations.welcom', /did you mean "automations\.welcome"/);
});

test('the welcome shorthand and the sequences become one list, the welcome first', () => {
  assert.deepEqual(parseConfig(SEQUENCES).automations.sequences, [
    { id: 'welcome', trigger: { kind: 'confirmed' }, steps: [{ issue: 'issues/welcome.md', delayMs: 0 }] },
    {
      id: 'onboarding',
      trigger: { kind: 'confirmed' },
      steps: [
        { issue: 'issues/2026-01-01-first.md', delayMs: 0 },
        { issue: 'issues/second.md', delayMs: 3 * 86_400_000 },
      ],
    },
    { id: 'paid-intro', trigger: { kind: 'tag-added', tag: 'paid' }, steps: [{ issue: 'issues/paid.md', delayMs: 30 * 60_000 }] },
  ]);
  assert.deepEqual(parseConfig('automations: {}\n').automations, { sequences: [] });
});

const oneSequence = (lines: string) => `automations:\n  sequences:\n    - id: onboarding\n${lines}`;

test('a delay that cannot be parsed is an error at its line', () => {
  oneError(oneSequence('      trigger: confirmed\n      steps:\n        - issue: issues/a.md\n          delay: 3 days\n'), 7, 'automations.sequences.0.steps.0.delay', /must be a duration \(0, or a whole number and a unit: 45s, 30m, 2h, 3d or 1w\), not "3 days"/);
  oneError(oneSequence('      trigger: confirmed\n      steps:\n        - issue: issues/a.md\n'), 6, 'automations.sequences.0.steps.0.delay', /is required/);
});

test('two sequences with one id are an error at the second', () => {
  const step = '      trigger: confirmed\n      steps:\n        - issue: issues/a.md\n          delay: 0\n';
  oneError(`automations:\n  sequences:\n    - id: onboarding\n${step}    - id: onboarding\n${step}`, 8, 'automations.sequences.1.id', /the sequence id "onboarding" is used twice/);
});

test('a sequence named welcome beside the shorthand is a duplicate', () => {
  oneError('automations:\n  welcome: issues/w.md\n  sequences:\n    - id: welcome\n      trigger: confirmed\n      steps:\n        - issue: issues/a.md\n          delay: 0\n', 4, 'automations.sequences.0.id', /"welcome" is used twice \(by "automations\.welcome"\)/);
  // Without the shorthand, the id is free.
  assert.equal(parseConfig('automations:\n  sequences:\n    - id: welcome\n      trigger: confirmed\n      steps:\n        - issue: issues/a.md\n          delay: 0\n').automations.sequences[0]!.id, 'welcome');
});

test('a trigger that is neither form, or names a bad tag, is an error at its line', () => {
  const steps = '      steps:\n        - issue: issues/a.md\n          delay: 0\n';
  oneError(oneSequence(`      trigger: subscribed\n${steps}`), 4, 'automations.sequences.0.trigger', /must be "confirmed" or "tag-added:<tag>", not "subscribed"/);
  oneError(oneSequence(`      trigger: "tag-added:no spaces"\n${steps}`), 4, 'automations.sequences.0.trigger', /bad tag "no spaces"/);
});

for (const path of ['../secrets.md', '/etc/passwd.md', 'issues/../x.md', 'issues/sub/x.md', 'welcome.md', 'issues/welcome.txt', 'issues/.hidden.md', 'issues\\\\x.md']) {
  test(`the step issue ${JSON.stringify(path)} is refused at its line`, () => {
    oneError(oneSequence(`      trigger: confirmed\n      steps:\n        - issue: ${JSON.stringify(path)}\n          delay: 0\n`), 6, 'automations.sequences.0.steps.0.issue', /must be an issue file directly in issues\//);
  });
}

test('a bad welcome path is an error at its line', () => {
  oneError('automations:\n  welcome: ../welcome.md\n', 2, 'automations.welcome', /issues\/welcome\.md/);
});

test('the same issue twice in one sequence is an error at the second', () => {
  oneError(oneSequence('      trigger: confirmed\n      steps:\n        - issue: issues/a.md\n          delay: 0\n        - issue: issues/b.md\n          delay: 1d\n        - issue: issues/a.md\n          delay: 1d\n'), 10, 'automations.sequences.0.steps.2.issue', /"issues\/a\.md" a second time/);
});

test('a sequence with no steps is an error at its steps', () => {
  oneError(oneSequence('      trigger: confirmed\n      steps: []\n'), 5, 'automations.sequences.0.steps', /at least one step/);
});

test('a bad id is an error at its line', () => {
  oneError(oneSequence('      trigger: confirmed\n      steps:\n        - issue: issues/a.md\n          delay: 0\n').replace('id: onboarding', 'id: On_Boarding'), 3, 'automations.sequences.0.id', /lower-case words joined by hyphens/);
});
