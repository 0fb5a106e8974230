/** A segment by name or expression (issue 16), and the config's `segments:` checked when it is read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSegment, segmentValueProblem, UnknownSegmentError } from '../../src/audience/segment-choice.ts';
import { SegmentSyntaxError } from '../../src/audience/segment-parse.ts';
import { parseConfig } from '../../src/config/load.ts';

const NAMED = { paid: 'tag:paid and not tag:lapsed', 'eu-readers': 'domain:example.eu' };

test('a name resolves through the config; anything else is an expression', () => {
  assert.deepEqual(resolveSegment(' paid ', NAMED), { name: 'paid', text: 'tag:paid and not tag:lapsed', ast: { kind: 'and', left: { kind: 'tag', tag: 'paid' }, right: { kind: 'not', operand: { kind: 'tag', tag: 'lapsed' } } } });
  assert.deepEqual(resolveSegment('tag:paid', NAMED), { name: null, text: 'tag:paid', ast: { kind: 'tag', tag: 'paid' } });
  assert.throws(() => resolveSegment('payers', NAMED), (e: unknown) => e instanceof UnknownSegmentError && /segments: paid, eu-readers/.test(e.message));
  assert.throws(() => resolveSegment('constructor', NAMED), UnknownSegmentError, 'not an inherited property');
  assert.throws(() => resolveSegment('tag:paid or', NAMED), SegmentSyntaxError);
  assert.equal(segmentValueProblem('paid'), undefined);
  assert.match(segmentValueProblem('Paid readers') ?? '', /^column 1: expected a term/);
});

test("the config's segments: are checked when the config is read", () => {
  const config = parseConfig('segments:\n  paid: tag:paid and not tag:lapsed\n');
  assert.deepEqual(config.segments, { paid: 'tag:paid and not tag:lapsed' });
  assert.throws(() => parseConfig('segments:\n  paid: tag:paid and\n'), /segments.*paid.*is not a segment expression \(column 13: expected a term/s);
  assert.throws(() => parseConfig('segments:\n  Paid Readers: tag:paid\n'), /must be a segment name/);
  assert.throws(() => parseConfig('segments:\n  paid: other\n'), /a name, not an expression/);
});
