import { checkAddress } from '../subscribers/email-address.ts';
import type { SegmentNode } from './segment-ast.ts';
import { normalizeTag, TAG_RULE } from './tags.ts';

/**
 * The segment language (issue 16), pure:
 *
 *   or-expr  := and-expr ( "or" and-expr )*
 *   and-expr := unary ( "and" unary )*
 *   unary    := "not" unary | "(" or-expr ")" | term
 *   term     := tag:TAG | subscribed-before:YYYY-MM-DD | subscribed-after:YYYY-MM-DD | domain:DOMAIN
 *
 * So `not` binds tighter than `and`, and `and` tighter than `or`. Keywords and term names are read in any case
 * (`NOT`, `Tag:paid`); a tag's value must be a tag, and is lower-cased as stored (see tags.ts). Words are separated by spaces or
 * parentheses; there is no implicit `and`.
 */

/** A segment that does not parse: the message names the column, shows the expression and puts a caret under it. */
export class SegmentSyntaxError extends Error {
  constructor(
    readonly expression: string,
    /** 1-based. */
    readonly column: number,
    readonly problem: string,
  ) {
    super(`segment, column ${column}: ${problem}\n  ${expression}\n  ${' '.repeat(column - 1)}^`);
    this.name = 'SegmentSyntaxError';
  }
}

interface Token {
  text: string;
  /** 0-based offset in the expression. */
  at: number;
}

const TERM_HINT = 'a term (tag:…, domain:…, subscribed-before:…, subscribed-after:…), "not" or "("';
const KEYWORDS = new Set(['and', 'or', 'not']);
/** Limits well inside SQLite's expression depth (1000) and the stack. */
const MAX_DEPTH = 100;
const MAX_TOKENS = 400;

export function parseSegment(expression: string): SegmentNode {
  const tokens = tokenize(expression);
  let i = 0;
  const fail = (at: number, problem: string): never => {
    throw new SegmentSyntaxError(expression, at + 1, problem);
  };
  const peek = (): Token | undefined => tokens[i];
  const found = (t: Token | undefined): string => (t === undefined ? 'the end of the expression' : `"${t.text}"`);
  const endAt = expression.length;
  const isKeyword = (t: Token | undefined, word: string): boolean => t !== undefined && t.text.toLowerCase() === word;

  const orExpr = (): SegmentNode => {
    let left = andExpr();
    while (isKeyword(peek(), 'or')) {
      i++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): SegmentNode => {
    let left = unary();
    while (isKeyword(peek(), 'and')) {
      i++;
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  let depth = 0;
  const unary = (): SegmentNode => {
    const t = peek();
    // Bounded, so a hostile expression cannot exhaust the stack here or in the SQL compiler.
    if (++depth > MAX_DEPTH) return fail(t?.at ?? endAt, `nests deeper than ${MAX_DEPTH} levels of "not" and parentheses`);
    try {
      return unaryAt(t);
    } finally {
      depth--;
    }
  };
  const unaryAt = (t: Token | undefined): SegmentNode => {
    if (t === undefined) return fail(endAt, `expected ${TERM_HINT}, found the end of the expression`);
    if (isKeyword(t, 'not')) {
      i++;
      return { kind: 'not', operand: unary() };
    }
    if (t.text === '(') {
      i++;
      const inner = orExpr();
      const close = peek();
      if (close?.text !== ')') return fail(close?.at ?? endAt, `expected "and", "or" or ")" to close the "(" at column ${t.at + 1}, found ${found(close)}`);
      i++;
      return inner;
    }
    if (t.text === ')' || KEYWORDS.has(t.text.toLowerCase())) return fail(t.at, `expected ${TERM_HINT}, found ${found(t)}`);
    i++;
    return term(t, fail);
  };

  const tooMany = tokens[MAX_TOKENS];
  if (tooMany !== undefined) return fail(tooMany.at, `the expression is longer than ${MAX_TOKENS} words and parentheses`);
  if (tokens.length === 0) return fail(0, `expected ${TERM_HINT}, found an empty expression`);
  const node = orExpr();
  const rest = peek();
  if (rest !== undefined) {
    return fail(rest.at, rest.text === ')' ? 'found ")" with no "(" to close' : `expected "and" or "or", found ${found(rest)}`);
  }
  return node;
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const word = /[()]|[^\s()]+/gu;
  for (const m of expression.matchAll(word)) tokens.push({ text: m[0], at: m.index });
  return tokens;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function term(t: Token, fail: (at: number, problem: string) => never): SegmentNode {
  const colon = t.text.indexOf(':');
  if (colon < 0) return fail(t.at, `expected ${TERM_HINT}, found "${t.text}"`);
  const name = t.text.slice(0, colon).toLowerCase();
  const value = t.text.slice(colon + 1);
  const valueAt = t.at + colon + 1;
  switch (name) {
    case 'tag': {
      // The tag rule of tags.ts, which stores tags lower-cased: `tag:Paid` is `tag:paid`.
      const tag = normalizeTag(value);
      if (tag === null) return fail(valueAt, `the tag "${value}" is not a tag (a tag is ${TAG_RULE})`);
      return { kind: 'tag', tag };
    }
    case 'subscribed-before':
    case 'subscribed-after': {
      const problem = dateProblem(value);
      if (problem !== undefined) return fail(valueAt, `the date "${value}" ${problem}`);
      return { kind: name, date: value };
    }
    case 'domain': {
      if (value === '') return fail(valueAt, 'the domain is empty');
      if (value.includes('@')) return fail(valueAt, `expected a domain, not an address ("${value}")`);
      // The address rule's own domain check, so a domain matches the way addresses are stored (lower-case ASCII).
      const check = checkAddress(`x@${value}`);
      if (!check.ok) return fail(valueAt, `the domain "${value}" is not a mail domain (an address at it ${check.reason})`);
      return { kind: 'domain', domain: check.normalized.slice(2) };
    }
    default:
      return fail(t.at, `unknown term "${t.text.slice(0, colon + 1)}": expected tag:, domain:, subscribed-before: or subscribed-after:`);
  }
}

function dateProblem(value: string): string | undefined {
  const m = DATE.exec(value);
  if (m === null) return 'is not a date in the form YYYY-MM-DD';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return 'is not a day of the calendar';
  return undefined;
}
