import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideSchedule, type ScheduleFacts } from '../../src/automation/schedule-decision.ts';
import type { ScheduleRecord } from '../../src/automation/schedule-store.ts';

const AT = Date.parse('2026-12-04T06:00:00Z');
const HOUR = 3_600_000;

const schedule = (over: Partial<ScheduleRecord> = {}): ScheduleRecord => ({
  id: 1,
  slug: 'on-power',
  issueFile: 'issues/on-power.md',
  sendAt: AT,
  segment: null,
  origin: 'command',
  state: 'scheduled',
  reason: null,
  blockedHash: null,
  sendId: null,
  workerId: null,
  nextTryAt: 0,
  createdAt: AT - 10 * HOUR,
  updatedAt: AT - 10 * HOUR,
  startedAt: null,
  ...over,
});

const facts = (now: number, over: Partial<ScheduleFacts> = {}): ScheduleFacts => ({ now, maxDelayMs: HOUR, fileHash: 'h1', claimantAlive: true, ...over });

test('not yet due: wait until its time; due: start, also a little late within max_delay', () => {
  assert.deepEqual(decideSchedule(schedule(), facts(AT - 1)), { action: 'wait', until: AT });
  assert.deepEqual(decideSchedule(schedule(), facts(AT)), { action: 'start' });
  assert.deepEqual(decideSchedule(schedule(), facts(AT + HOUR)), { action: 'start' });
});

test('missed: more than max_delay late (no worker ran overnight) is never sent by itself, and says how to send it by hand', () => {
  const d = decideSchedule(schedule(), facts(AT + HOUR + 1));
  assert.equal(d.action, 'miss');
  assert.match((d as { reason: string }).reason, /newsletter send on-power/);
  assert.match((d as { reason: string }).reason, /2026-12-04T06:00:00.000Z/);
  // A different max_delay moves the line.
  assert.equal(decideSchedule(schedule(), facts(AT + 3 * HOUR, { maxDelayMs: 4 * HOUR })).action, 'start');
});

test('cancelled, sent and missed schedules are left alone whatever the time', () => {
  for (const state of ['cancelled', 'sent', 'missed'] as const) {
    assert.deepEqual(decideSchedule(schedule({ state }), facts(AT)), { action: 'wait', until: null }, state);
    assert.deepEqual(decideSchedule(schedule({ state }), facts(AT + 10 * HOUR)), { action: 'wait', until: null }, state);
  }
});

test('blocked: waits while the file is unchanged, starts again once it changes, and is missed after max_delay', () => {
  const blocked = schedule({ state: 'blocked', blockedHash: 'h1', reason: 'issues/on-power.md:4 error …' });
  assert.deepEqual(decideSchedule(blocked, facts(AT + 60_000)), { action: 'wait', until: null });
  assert.deepEqual(decideSchedule(blocked, facts(AT + 60_000, { fileHash: 'h2' })), { action: 'start' });
  assert.deepEqual(decideSchedule(blocked, facts(AT + 60_000, { fileHash: null })), { action: 'wait', until: null }, 'a file still missing');
  assert.deepEqual(decideSchedule(schedule({ state: 'blocked', blockedHash: null }), facts(AT + 60_000)), { action: 'start' }, 'a file restored');
  assert.equal(decideSchedule(blocked, facts(AT + HOUR + 1, { fileHash: 'h2' })).action, 'miss');
});

test('a send that paused waits for its next try; a started send is joined, never missed', () => {
  assert.deepEqual(decideSchedule(schedule({ nextTryAt: AT + 60_000 }), facts(AT + 1)), { action: 'wait', until: AT + 60_000 });
  assert.deepEqual(decideSchedule(schedule({ state: 'sending', sendId: 3 }), facts(AT + 10 * HOUR)), { action: 'join' });
  assert.deepEqual(decideSchedule(schedule({ state: 'sending', sendId: 3, nextTryAt: AT + 5 }), facts(AT)), { action: 'wait', until: AT + 5 });
});

test('starting: left to a live claimant; released when it died before its send was recorded', () => {
  const starting = schedule({ state: 'starting', workerId: 4, startedAt: AT });
  assert.deepEqual(decideSchedule(starting, facts(AT + 1)), { action: 'wait', until: null });
  assert.deepEqual(decideSchedule(starting, facts(AT + 1, { claimantAlive: false })), { action: 'release' });
});
