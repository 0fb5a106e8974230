import type { SqlDialect } from '../audience/segment-sql.ts';
import type { QueueStep, StepContent, StepCounts } from '../automation/automation-store.ts';
import type { Trigger } from '../automation/trigger.ts';
import { tagAddedReason } from '../subscribers/subscriber.ts';
import type { SendRecord } from './ledger/records.ts';

/**
 * The automation store's statements (issue 17), one text for both engines (sqlite-automations.ts,
 * pg/pg-automations.ts), every value a bound parameter.
 */

/** A statement and its values, in the order of their placeholders. */
export interface BoundSql {
  sql: string;
  params: (string | number | null)[];
}

/**
 * How far behind the caller's clock the cursor of a sequence stays. PostgreSQL hands out event ids when rows are
 * inserted, not when they commit, so a sign-up whose transaction commits late can land below an id already read:
 * a cursor moved past it would never enrol that reader. The cursor therefore passes only events older than this
 * (their transactions long committed); newer ones are read again at the next enrol, which the enrolments' primary
 * key makes harmless. SQLite commits in id order (one writer), but the same rule costs nothing there.
 */
export const ENROL_HORIZON_MS = 5 * 60_000;

/** Placeholders in the order values are bound: `?` on SQLite, `$n` on PostgreSQL. */
function binder(dialect: SqlDialect): { bind: (value: string | number | null, cast?: string) => string; params: BoundSql['params'] } {
  const params: BoundSql['params'] = [];
  const bind = (value: string | number | null, cast = ''): string => {
    params.push(value);
    return dialect === 'pg' ? `$${params.length}${cast && `::${cast}`}` : '?';
  };
  return { bind, params };
}

/** An event to `active` from `pending` or from nothing: a confirmation, or an address added already active. */
const CONFIRMATION = "e.to_status = 'active' AND (e.from_status IS NULL OR e.from_status = 'pending')";

/**
 * Whether the event `e` fires the trigger. A tag trigger wants the tag given while active, or a confirmation of a
 * subscriber given it while pending (a sign-up form's tag); either way the subscriber must still have it now.
 */
function matches(trigger: Trigger, bind: (value: string) => string): string {
  if (trigger.kind === 'confirmed') return `(${CONFIRMATION})`;
  const tagEvent = `e.from_status = 'active' AND e.to_status = 'active' AND e.reason = ${bind(tagAddedReason(trigger.tag))}`;
  const hasTag = `EXISTS (SELECT 1 FROM subscriber_tags t WHERE t.subscriber_id = e.subscriber_id AND t.tag = ${bind(trigger.tag)})`;
  return `((${CONFIRMATION}) OR (${tagEvent})) AND ${hasTag}`;
}

/** Where the events come from: live ones (any but an import's), or one import's (exactly its `via`). */
export type EventSource = { live: true } | { via: string };

/**
 * Enrols every subscriber active now with an event after `afterEventId` that fires the trigger: one INSERT … SELECT,
 * reading only the events past the cursor (the primary key's range, in id order) and each subscriber by id. A
 * subscriber with several such events is enrolled by the first, the others meeting the primary key (DO NOTHING);
 * one already in the sequence is left as they are. CROSS JOIN makes SQLite read the events first, as written: with
 * a plain JOIN it walked every active subscriber (300 ms at 1,000,000 for ten new events), and a GROUP BY made it
 * walk every event. PostgreSQL plans it as any join.
 */
export function enrolSql(dialect: SqlDialect, sequence: string, trigger: Trigger, source: EventSource, afterEventId: number, now: number): BoundSql {
  const { bind, params } = binder(dialect);
  // Built in the order of the text, so that SQLite's positional placeholders line up.
  const head = `INSERT INTO automation_enrolments (sequence, subscriber_id, enrolled_at, event_id)
    SELECT ${bind(sequence, 'text')}, e.subscriber_id, ${bind(now, 'bigint')}, e.id
    FROM subscriber_events e CROSS JOIN subscribers s
    WHERE e.id > ${bind(afterEventId, 'bigint')} AND s.id = e.subscriber_id`;
  const from = 'live' in source ? "substr(e.via, 1, 7) <> 'import:'" : `e.via = ${bind(source.via, 'text')}`;
  const sql = `${head} AND ${from} AND s.status = 'active' AND ${matches(trigger, (v) => bind(v, 'text'))}
    ORDER BY e.id
    ON CONFLICT DO NOTHING`;
  return { sql, params };
}

/**
 * Where the cursor may move now: past every event after it up to (not including) the first one younger than
 * ENROL_HORIZON_MS, or nowhere. Read before the enrolment's INSERT, so that every event it passes was visible to
 * that INSERT too (PostgreSQL's READ COMMITTED gives each statement a newer snapshot). Event times are ISO 8601 UTC
 * text (toISOString), which compares as time does.
 */
export function nextCursorSql(dialect: SqlDialect, cursor: number, now: number): BoundSql {
  const { bind, params } = binder(dialect);
  const sql = `SELECT coalesce(max(e.id), ${bind(cursor, 'bigint')}) AS event_id FROM subscriber_events e
    WHERE e.id > ${bind(cursor, 'bigint')}
      AND e.id < coalesce((SELECT min(r.id) FROM subscriber_events r WHERE r.id > ${bind(cursor, 'bigint')} AND r.at >= ${bind(new Date(now - ENROL_HORIZON_MS).toISOString(), 'text')}), ${Number.MAX_SAFE_INTEGER})`;
  return { sql, params };
}

/** The cursor of a sequence seen for the first time: the newest event now (0 on an empty list). */
export function ensureSequenceSql(dialect: SqlDialect, sequence: string, now: number): BoundSql {
  const { bind, params } = binder(dialect);
  // `WHERE true`: SQLite would otherwise read ON CONFLICT as a join's ON.
  const sql = `INSERT INTO automation_cursors (sequence, event_id, first_seen_at)
    SELECT ${bind(sequence, 'text')}, coalesce(max(id), 0), ${bind(now, 'bigint')} FROM subscriber_events WHERE true
    ON CONFLICT DO NOTHING`;
  return { sql, params };
}

export const NEWEST_EVENT_SQL = 'SELECT coalesce(max(id), 0) AS id FROM subscriber_events';

/** States of a previous step's row after which the next step may follow: the message went, or never will. */
const SETTLED = "('sent', 'failed', 'in_doubt', 'suppressed')";

/** The enrolled subscribers due this step, as FROM … WHERE over `automation_enrolments en` (binding as it goes). */
function dueReaders(bind: ReturnType<typeof binder>['bind'], step: QueueStep): string {
  const dueBefore = step.now - step.delayMs;
  let sql = `FROM automation_enrolments en JOIN subscribers s ON s.id = en.subscriber_id`;
  if (step.previousSendId !== null) {
    sql += `
    JOIN deliveries p ON p.send_id = ${bind(step.previousSendId, 'int')} AND p.subscriber_id = en.subscriber_id
      AND p.state IN ${SETTLED} AND p.updated_at <= ${bind(dueBefore, 'bigint')}`;
  }
  sql += `
    WHERE en.sequence = ${bind(step.sequence, 'text')} AND s.status = 'active'`;
  if (step.previousSendId === null) sql += ` AND en.enrolled_at <= ${bind(dueBefore, 'bigint')}`;
  if (step.topic !== null) {
    sql += ` AND NOT EXISTS (SELECT 1 FROM subscriber_topics_left tl WHERE tl.subscriber_id = en.subscriber_id AND tl.topic = ${bind(step.topic, 'text')})`;
  }
  return `${sql} AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.send_id = ${bind(step.sendId, 'int')} AND d.subscriber_id = en.subscriber_id)`;
}

/**
 * One INSERT … SELECT of the step's rows for the enrolled subscribers now due, in subscriber order (the primary
 * key's order, so two processes queueing at once meet on the same first row and the second waits, then skips).
 */
export function queueStepSql(dialect: SqlDialect, step: QueueStep): BoundSql {
  const { bind, params } = binder(dialect);
  const head = `INSERT INTO deliveries (send_id, subscriber_id, state, updated_at)
    SELECT ${bind(step.sendId, 'int')}, en.subscriber_id, 'queued', ${bind(step.now, 'bigint')}`;
  const sql = `${head} ${dueReaders(bind, step)}
    ORDER BY en.subscriber_id
    ON CONFLICT DO NOTHING`;
  return { sql, params };
}

/** Whether any reader is due this step: read without a write lock, before queueing takes one (SQLite). */
export function anyDueSql(dialect: SqlDialect, step: QueueStep): BoundSql {
  const { bind, params } = binder(dialect);
  return { sql: `SELECT EXISTS (SELECT 1 ${dueReaders(bind, step)}) AS due`, params };
}

/** A step's counts over the sequence's enrolled subscribers, each in exactly one (see StepCounts). */
export function stepCountsSql(dialect: SqlDialect, sequence: string, sendId: number, topic: string | null): BoundSql {
  const { bind, params } = binder(dialect);
  const left = topic === null ? '' : `LEFT JOIN subscriber_topics_left tl ON tl.subscriber_id = en.subscriber_id AND tl.topic = ${bind(topic, 'text')}`;
  const gone = topic === null ? "s.status <> 'active'" : "(s.status <> 'active' OR tl.subscriber_id IS NOT NULL)";
  const open = "(d.state IS NULL OR d.state IN ('queued', 'sending', 'retry'))";
  const count = (condition: string) => `coalesce(sum(CASE WHEN ${condition} THEN 1 ELSE 0 END), 0)`;
  // The send's placeholder comes after the topic's in the text: bound in that order.
  const sql = `SELECT
      ${count(`${open} AND NOT ${gone}`)} AS waiting,
      ${count("d.state = 'sent'")} AS sent,
      ${count(`d.state = 'suppressed' OR (${open} AND ${gone})`)} AS skipped,
      ${count("d.state = 'failed'")} AS failed,
      ${count("d.state = 'in_doubt'")} AS in_doubt
    FROM automation_enrolments en JOIN subscribers s ON s.id = en.subscriber_id
    ${left}
    LEFT JOIN deliveries d ON d.send_id = ${bind(sendId, 'int')} AND d.subscriber_id = en.subscriber_id
    WHERE en.sequence = ${bind(sequence, 'text')}`;
  return { sql, params };
}

export interface StepCountsRow {
  waiting: number;
  sent: number;
  skipped: number;
  failed: number;
  in_doubt: number;
}

export const stepCountsFromRow = (r: StepCountsRow): StepCounts => ({ waiting: r.waiting, sent: r.sent, skipped: r.skipped, failed: r.failed, inDoubt: r.in_doubt });

/** Whether a step's send already carries this content: the same source hash and topic (what stepSendSql compares). */
export const isCurrent = (send: SendRecord, content: StepContent): boolean => send.sourceHash === content.sourceHash && send.topic === content.topic;

/**
 * A step's standing send: made once (the partial unique index on `automation` decides between two processes), its
 * content replaced when the issue's hash or the topic changed; never finished, its recipients grown by queueStep.
 */
export function stepSendSql(dialect: SqlDialect, key: string, content: StepContent, now: number): BoundSql {
  const { bind, params } = binder(dialect);
  const differs = dialect === 'pg' ? 'IS DISTINCT FROM' : 'IS NOT';
  const sql = `INSERT INTO sends (slug, issue_file, subject, source_hash, html, text, placeholder_prefix, recipients, created_at, segment, topic, automation)
    VALUES (${bind(content.slug)}, ${bind(content.issueFile)}, ${bind(content.subject)}, ${bind(content.sourceHash)}, ${bind(content.html)}, ${bind(content.text)},
      ${bind(content.placeholderPrefix)}, 0, ${bind(now, 'bigint')}, NULL, ${bind(content.topic, 'text')}, ${bind(key, 'text')})
    ON CONFLICT (automation) WHERE automation IS NOT NULL DO UPDATE SET
      slug = excluded.slug, issue_file = excluded.issue_file, subject = excluded.subject, source_hash = excluded.source_hash,
      html = excluded.html, text = excluded.text, placeholder_prefix = excluded.placeholder_prefix, topic = excluded.topic
    WHERE sends.source_hash <> excluded.source_hash OR sends.topic ${differs} excluded.topic`;
  return { sql, params };
}
