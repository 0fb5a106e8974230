/** Sequence steps checked against the issue files (issue 17): a missing or draft issue is an error at the step's line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import { automationProblems } from '../../src/project/automation-problems.ts';
import { issueText, projectFor } from '../support/fixtures.ts';

const CONFIG = `name: News
automations:
  welcome: issues/welcome.md
  sequences:
    - id: onboarding
      trigger: confirmed
      steps:
        - issue: issues/ready.md
          delay: 0
        - issue: issues/draft.md
          delay: 3d
        - issue: issues/missing.md
          delay: 1w
`;

const ISSUES = {
  'issues/welcome.md': issueText('Hello.', 'title: Welcome\ndate: 2026-10-01\nstatus: ready'),
  'issues/ready.md': issueText('One.', 'title: One\ndate: 2026-10-01\nstatus: ready'),
  'issues/draft.md': issueText('Two.', 'title: Two\ndate: 2026-10-01'),
};

const summary = (dir: string, text: string) =>
  automationProblems(dir, parseConfig(text), text).map((d) => `${d.file}:${d.line} ${d.severity} ${d.rule} ${d.message}`);

test('a draft step and a missing step are errors on newsletter.yaml at their issue: lines; ready steps pass', (t) => {
  const dir = projectFor(t, ISSUES);
  assert.deepEqual(summary(dir, CONFIG), [
    'newsletter.yaml:10 error automations/draft-issue sequence "onboarding", step 2: issues/draft.md is "status: draft"; a sequence sends only ready issues, so set "status: ready" in it',
    'newsletter.yaml:12 error automations/missing-issue sequence "onboarding", step 3: issues/missing.md does not exist',
  ]);
});

test('the welcome shorthand is checked at its own line', (t) => {
  const dir = projectFor(t, {});
  assert.deepEqual(summary(dir, 'automations:\n  welcome: issues/welcome.md\n'), [
    'newsletter.yaml:2 error automations/missing-issue sequence "welcome", step 1: issues/welcome.md does not exist',
  ]);
});

test('a step issue that is a symbolic link is refused, not followed', (t) => {
  const dir = projectFor(t, ISSUES);
  symlinkSync(join(dir, 'issues/ready.md'), join(dir, 'issues/linked.md'));
  const [problem, ...rest] = summary(dir, 'automations:\n  welcome: issues/linked.md\n');
  assert.equal(rest.length, 0);
  assert.match(problem ?? '', /^newsletter\.yaml:2 error automations\/missing-issue sequence "welcome", step 1: issues\/linked\.md cannot be read/);
});

test('no automations, no problems', (t) => {
  assert.deepEqual(summary(projectFor(t, ISSUES), 'name: News\n'), []);
});
