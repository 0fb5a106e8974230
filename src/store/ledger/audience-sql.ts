import type { Segment } from '../../audience/segment-ast.ts';
import { segmentSql, type SqlCondition, type SqlDialect } from '../../audience/segment-sql.ts';

/**
 * Who a send goes to (issue 16): the active subscribers, narrowed by a segment, minus those who left the send's
 * topic. Without either it is every active subscriber, as before. Frozen by the ledger's plan.
 */
export interface Audience {
  segment?: Segment;
  /** A topic id from the config; subscribers with a row for it in subscriber_topics_left are not sent to. */
  topic?: string;
}

/** The text a send's row keeps for its segment and topic, or null. */
export const audienceColumns = (audience: Audience): { segment: string | null; topic: string | null } => ({
  segment: audience.segment?.text ?? null,
  topic: audience.topic ?? null,
});

/** Whether the audience narrows the list at all (else the plain, prepared freeze serves). */
export const narrows = (audience: Audience | undefined): audience is Audience => audience?.segment !== undefined || audience?.topic !== undefined;

/**
 * The WHERE condition over `subscribers s` for an audience, every value bound; PostgreSQL placeholders start at
 * `firstParam`. One home for both engines' freeze and preview.
 */
export function audienceWhere(audience: Audience, dialect: SqlDialect, firstParam = 1): SqlCondition {
  const parts = ["s.status = 'active'"];
  const params: string[] = [];
  if (audience.segment !== undefined) {
    const segment = segmentSql(audience.segment.ast, dialect, firstParam);
    parts.push(segment.sql);
    params.push(...segment.params);
  }
  if (audience.topic !== undefined) {
    params.push(audience.topic);
    const p = dialect === 'pg' ? `$${firstParam + params.length - 1}` : '?';
    parts.push(`NOT EXISTS (SELECT 1 FROM subscriber_topics_left tl WHERE tl.subscriber_id = s.id AND tl.topic = ${p})`);
  }
  return { sql: parts.join(' AND '), params };
}

/** What a dry run shows of an audience before anything is frozen. */
export interface AudiencePreview {
  count: number;
  /** The first few members' addresses, in subscriber order. */
  sample: string[];
  /** Tags the segment names that no subscriber has. */
  unknownTags: string[];
  /** Every tag some subscriber has, in order: filled only when `unknownTags` is not empty, for the warning. */
  knownTags: string[];
}

/**
 * Every distinct tag, by skipping along the (tag, subscriber_id) index one tag at a time: as many index probes as
 * there are tags, not a read of every subscriber's tags. Valid on both engines.
 */
export const KNOWN_TAGS_SQL = `WITH RECURSIVE t(tag) AS (
    SELECT min(tag) FROM subscriber_tags
    UNION ALL
    SELECT (SELECT min(tag) FROM subscriber_tags WHERE tag > t.tag) FROM t WHERE t.tag IS NOT NULL
  ) SELECT tag FROM t WHERE tag IS NOT NULL`;

/** A segment or topic that selects nobody: the send refuses to start, and nothing is planned. */
export class EmptyAudienceError extends Error {
  constructor(readonly audience: Audience) {
    const what = [audience.segment ? `the segment "${audience.segment.text}"` : '', audience.topic ? `the topic "${audience.topic}"` : ''].filter(Boolean).join(' with ');
    super(`${what} matches no active subscriber: nothing to send`);
    this.name = 'EmptyAudienceError';
  }
}
