import type { Segment } from './segment-ast.ts';
import { parseSegment, SegmentSyntaxError } from './segment-parse.ts';

/**
 * Where a send's segment comes from (issue 16): `--segment`, else the issue's `segment:`, each either a name from
 * the config's `segments:` or an expression. A name is one lower-case word (letters, digits, hyphens), which no
 * expression can be (every term has a colon), so the two never collide.
 */
export const SEGMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const isSegmentName = (value: string): boolean => SEGMENT_NAME.test(value.trim());

/** Why a value is neither a segment name nor a valid expression (the config is not consulted), or undefined. */
export function segmentValueProblem(value: string): string | undefined {
  if (isSegmentName(value)) return undefined;
  try {
    parseSegment(value);
    return undefined;
  } catch (error) {
    if (error instanceof SegmentSyntaxError) return `column ${error.column}: ${error.problem}`;
    throw error;
  }
}

/** A segment value that names no segment in the config. */
export class UnknownSegmentError extends Error {
  constructor(
    readonly segment: string,
    readonly known: readonly string[],
  ) {
    super(
      `no segment named "${segment}" in newsletter.yaml (${known.length > 0 ? `segments: ${known.join(', ')}` : 'it has no "segments:"'}); ` +
        `to use a tag, write the expression tag:${segment}`,
    );
    this.name = 'UnknownSegmentError';
  }
}

/** A chosen segment and the config name it came by, if any. */
export interface ChosenSegment extends Segment {
  name: string | null;
}

/** Resolves a name through `named` or parses an expression; throws UnknownSegmentError or SegmentSyntaxError. */
export function resolveSegment(value: string, named: Readonly<Record<string, string>>): ChosenSegment {
  const trimmed = value.trim();
  if (isSegmentName(trimmed)) {
    const expression = Object.hasOwn(named, trimmed) ? named[trimmed] : undefined;
    if (expression === undefined) throw new UnknownSegmentError(trimmed, Object.keys(named));
    return { name: trimmed, text: expression.trim(), ast: parseSegment(expression) };
  }
  return { name: null, text: trimmed, ast: parseSegment(value) };
}
