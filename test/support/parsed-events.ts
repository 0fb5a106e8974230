import assert from 'node:assert/strict';
import type { FeedbackEvent } from '../../src/feedback/feedback-event.ts';

type Parsed = { events: FeedbackEvent[]; ignored: number } | { error: string };

/** A parser's result, failing the test on an error. */
export function parsed(result: Parsed): { events: FeedbackEvent[]; ignored: number } {
  if ('error' in result) assert.fail(result.error);
  return result;
}

/** The one event a parser made, failing the test unless it made exactly one and ignored nothing. */
export function onlyEvent(result: Parsed, what = ''): FeedbackEvent {
  const r = parsed(result);
  assert.equal(r.ignored, 0, what);
  assert.equal(r.events.length, 1, what);
  return r.events[0]!;
}
