/** The segment language (issue 16): grammar, precedence, case, and errors that name the column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSegment, SegmentSyntaxError } from '../../src/audience/segment-parse.ts';
import { segmentTags, type SegmentNode } from '../../src/audience/segment-ast.ts';

const tag = (t: string): SegmentNode => ({ kind: 'tag', tag: t });

test('terms: tag, subscribed-before, subscribed-after, domain', () => {
  assert.deepEqual(parseSegment('tag:paid'), tag('paid'));
  assert.deepEqual(parseSegment('subscribed-before:2026-01-31'), { kind: 'subscribed-before', date: '2026-01-31' });
  assert.deepEqual(parseSegment('subscribed-after:2024-02-29'), { kind: 'subscribed-after', date: '2024-02-29' });
  assert.deepEqual(parseSegment('domain:Example.ORG'), { kind: 'domain', domain: 'example.org' });
  assert.deepEqual(parseSegment('domain:bücher.example'), { kind: 'domain', domain: 'xn--bcher-kva.example' });
});

test('not binds tighter than and, and tighter than or', () => {
  assert.deepEqual(parseSegment('tag:a or tag:b and not tag:c'), {
    kind: 'or',
    left: tag('a'),
    right: { kind: 'and', left: tag('b'), right: { kind: 'not', operand: tag('c') } },
  });
  assert.deepEqual(parseSegment('not tag:a and tag:b'), { kind: 'and', left: { kind: 'not', operand: tag('a') }, right: tag('b') });
});

test('parentheses group, with or without spaces around them', () => {
  assert.deepEqual(parseSegment('(tag:a or tag:b) and tag:c'), { kind: 'and', left: { kind: 'or', left: tag('a'), right: tag('b') }, right: tag('c') });
  assert.deepEqual(parseSegment('not(tag:a)'), { kind: 'not', operand: tag('a') });
  assert.deepEqual(parseSegment(' ( ( tag:a ) ) '), tag('a'));
});

test('keywords and term names in any case; and/or chain to the left', () => {
  assert.deepEqual(parseSegment('NOT Tag:a AND tag:b Or TAG:c'), {
    kind: 'or',
    left: { kind: 'and', left: { kind: 'not', operand: tag('a') }, right: tag('b') },
    right: tag('c'),
  });
  assert.deepEqual(parseSegment('tag:a and tag:b and tag:c'), { kind: 'and', left: { kind: 'and', left: tag('a'), right: tag('b') }, right: tag('c') });
});

function syntaxError(expression: string): SegmentSyntaxError {
  try {
    parseSegment(expression);
  } catch (error) {
    assert.ok(error instanceof SegmentSyntaxError, String(error));
    return error;
  }
  assert.fail(`${expression} parsed`);
}

test('a syntax error names the column, shows the expression with a caret under it, and says what was expected', () => {
  const e = syntaxError('tag:a and');
  assert.equal(e.column, 10);
  assert.equal(e.message, 'segment, column 10: expected a term (tag:…, domain:…, subscribed-before:…, subscribed-after:…), "not" or "(", found the end of the expression\n  tag:a and\n           ^');
  const missing = syntaxError('(tag:a or tag:b tag:c');
  assert.equal(missing.column, 17);
  assert.match(missing.message, /^segment, column 17: expected "and", "or" or "\)" to close the "\(" at column 1, found "tag:c"\n {2}\(tag:a or tag:b tag:c\n {18}\^$/);
  assert.equal(syntaxError('tag:a tag:b').column, 7);
  assert.match(syntaxError('tag:a tag:b').problem, /expected "and" or "or", found "tag:b"/);
  assert.match(syntaxError('tag:a)').problem, /"\)" with no "\("/);
  assert.match(syntaxError('and tag:a').problem, /found "and"/);
  assert.match(syntaxError('paid').problem, /found "paid"/);
  assert.match(syntaxError('').problem, /empty expression/);
  const unknown = syntaxError('tag:a or label:x');
  assert.equal(unknown.column, 10);
  assert.match(unknown.problem, /unknown term "label:": expected tag:, domain:, subscribed-before: or subscribed-after:/);
});

test('invalid dates are refused with the reason, at the value', () => {
  const e = syntaxError('subscribed-before:2026-02-30');
  assert.equal(e.column, 19);
  assert.match(e.problem, /the date "2026-02-30" is not a day of the calendar/);
  assert.match(syntaxError('subscribed-after:2026-1-5').problem, /"2026-1-5" is not a date in the form YYYY-MM-DD/);
  assert.match(syntaxError('subscribed-after:2025-02-29').problem, /not a day of the calendar/);
  assert.match(syntaxError('subscribed-after:').problem, /not a date in the form YYYY-MM-DD/);
});

test('invalid tags and domains are refused with the reason; tags are read as stored, lower-case', () => {
  assert.deepEqual(parseSegment('tag:Paid'), tag('paid'));
  assert.match(syntaxError('tag:').problem, /the tag "" is not a tag \(a tag is lower-case letters, digits and hyphens, 1 to 40 characters, not starting or ending with a hyphen\)/);
  assert.match(syntaxError('tag:a_b').problem, /the tag "a_b" is not a tag/);
  assert.match(syntaxError('tag:-paid').problem, /the tag "-paid" is not a tag/);
  assert.match(syntaxError(`tag:${'x'.repeat(41)}`).problem, /is not a tag/);
  assert.equal(parseSegment(`tag:${'x'.repeat(40)}`).kind, 'tag');
  assert.match(syntaxError('domain:you@example.org').problem, /a domain, not an address/);
  assert.match(syntaxError('domain:localhost').problem, /is not a mail domain/);
  assert.match(syntaxError('domain:').problem, /the domain is empty/);
});

test('hostile sizes are refused, not recursed into', () => {
  assert.match(syntaxError(`${'not '.repeat(150)}tag:a`).problem, /nests deeper than 100/);
  assert.match(syntaxError(`${'('.repeat(150)}tag:a${')'.repeat(150)}`).problem, /nests deeper than 100/);
  assert.match(syntaxError(Array.from({ length: 300 }, () => 'tag:a').join(' or ')).problem, /longer than 400 words/);
});

test('segmentTags lists each tag once, in order', () => {
  assert.deepEqual(segmentTags(parseSegment('tag:b or (tag:a and not tag:b) or domain:x.org')), ['b', 'a']);
});
