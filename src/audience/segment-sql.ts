import type { SegmentNode } from './segment-ast.ts';

/**
 * A segment as a SQL condition over `subscribers s`, for either engine, with every value a bound parameter (never
 * spliced into the text). What each term compares:
 *
 * - `tag:T`: the subscriber has the tag (a row in subscriber_tags; its (tag, subscriber_id) index answers it).
 * - `subscribed-before:D` / `subscribed-after:D`: when the subscriber subscribed, which is `confirmed_at` (double
 *   opt-in), else `created_at` (added already active). Days are UTC: before D is earlier than D 00:00 UTC; after D is
 *   D 00:00 UTC or later, so the subscriber who joined on D itself is "after" it, and `subscribed-after:D` is exactly
 *   `not subscribed-before:D`. Both columns hold ISO 8601 UTC text (toISOString), which compares as time does.
 * - `domain:D`: the address's domain is exactly D, compared on the stored lower-case form; subdomains do not match
 *   (`domain:example.org` is not `mail.example.org`: write `or domain:mail.example.org`).
 */
export type SqlDialect = 'sqlite' | 'pg';

export interface SqlCondition {
  sql: string;
  params: string[];
}

/**
 * `firstParam` is the number of the first PostgreSQL placeholder (`$n`), so the condition can sit in a statement
 * that binds others before it; SQLite's `?` placeholders are positional and ignore it.
 */
export function segmentSql(node: SegmentNode, dialect: SqlDialect, firstParam = 1): SqlCondition {
  const params: string[] = [];
  const bind = (value: string): string => {
    params.push(value);
    return dialect === 'pg' ? `$${firstParam + params.length - 1}` : '?';
  };
  const subscribedAt = 'coalesce(s.confirmed_at, s.created_at)';
  const domainOf = dialect === 'pg' ? "split_part(s.email_normalized, '@', 2)" : "substr(s.email_normalized, instr(s.email_normalized, '@') + 1)";
  const walk = (n: SegmentNode): string => {
    switch (n.kind) {
      case 'tag':
        return `EXISTS (SELECT 1 FROM subscriber_tags st WHERE st.tag = ${bind(n.tag)} AND st.subscriber_id = s.id)`;
      case 'subscribed-before':
        return `${subscribedAt} < ${bind(`${n.date}T00:00:00.000Z`)}`;
      case 'subscribed-after':
        return `${subscribedAt} >= ${bind(`${n.date}T00:00:00.000Z`)}`;
      case 'domain':
        return `${domainOf} = ${bind(n.domain)}`;
      case 'not':
        return `NOT (${walk(n.operand)})`;
      case 'and':
        return `(${walk(n.left)} AND ${walk(n.right)})`;
      case 'or':
        return `(${walk(n.left)} OR ${walk(n.right)})`;
    }
  };
  return { sql: walk(node), params };
}
