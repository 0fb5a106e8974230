/**
 * A segment: which active subscribers a send goes to (issue 16). Parsed from an expression such as
 * `tag:paid and not (domain:example.org or subscribed-before:2026-01-01)` by segment-parse.ts, compiled to SQL by
 * segment-sql.ts.
 */
export type SegmentNode =
  | { kind: 'tag'; tag: string }
  /** A UTC day, `YYYY-MM-DD`: see segment-sql.ts for what is compared. */
  | { kind: 'subscribed-before'; date: string }
  | { kind: 'subscribed-after'; date: string }
  /** The address's domain, lower-case ASCII (an internationalised domain in its xn-- form). */
  | { kind: 'domain'; domain: string }
  | { kind: 'not'; operand: SegmentNode }
  | { kind: 'and' | 'or'; left: SegmentNode; right: SegmentNode };

/** A segment as chosen for a send: the text the writer gave (kept on the send's row) and its parsed form. */
export interface Segment {
  text: string;
  ast: SegmentNode;
}

/** Every tag a segment names, once each, in order of appearance: to warn about tags no subscriber has. */
export function segmentTags(node: SegmentNode): string[] {
  const tags: string[] = [];
  const walk = (n: SegmentNode): void => {
    if (n.kind === 'tag') {
      if (!tags.includes(n.tag)) tags.push(n.tag);
    } else if (n.kind === 'not') walk(n.operand);
    else if (n.kind === 'and' || n.kind === 'or') {
      walk(n.left);
      walk(n.right);
    }
  };
  walk(node);
  return tags;
}
