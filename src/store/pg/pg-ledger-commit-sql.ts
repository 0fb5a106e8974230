import { providerIdFromReply } from '../../feedback/provider-id.ts';
import type { DeliveryResult } from '../ledger/records.ts';

/**
 * The SQL of the ledger's group commit on PostgreSQL (pg-ledger-hot-path.ts), as named statements that the server
 * parses and plans once per connection. Their plans are generic, made without the parameters' values, so each is
 * written to stay key lookups whatever the planner guesses: rows through the primary key, subscribers through a
 * fenced LATERAL, never a join it could turn into a scan of the whole list.
 */

/** Where a statement finds the send, the time, the time as ISO text, and the first result's parameter. */
interface SettleParams {
  send: string;
  now: string;
  at: string;
  first: number;
}

/**
 * Records results: every row still `sending` takes its result's state (the first result per subscriber wins, as
 * when they were applied one by one), and each bounce marks its subscriber, with its event. The results come as a
 * VALUES list of `size` rows (padded with empty ones), so the planner knows how many. The state is tested in a form
 * no index serves, so rows are found by primary key, not in the due index's `sending` range, which fills with dead
 * entries between vacuums.
 */
function settleCtes(size: number, p: SettleParams): string {
  const rows = Array.from({ length: size }, (_, i) => {
    const n = p.first + i * RESULT_PARAMS;
    return `($${n}::int, ${i}, $${n + 1}::text, $${n + 2}::text, $${n + 3}::text, $${n + 4}::bigint, $${n + 5}::bool, $${n + 6}::text)`;
  });
  return `r (id, ord, state, reply, message_id, next_at, bounce, provider_id) AS (VALUES ${rows.join(', ')}
), settled AS (
  UPDATE deliveries d SET state = u.state, run_id = NULL, updated_at = ${p.now},
    reply = CASE WHEN u.state = 'queued' THEN d.reply ELSE u.reply END,
    message_id = CASE WHEN u.state = 'sent' THEN u.message_id ELSE d.message_id END,
    provider_id = CASE WHEN u.state = 'sent' THEN u.provider_id ELSE d.provider_id END,
    next_attempt_at = CASE WHEN u.state = 'retry' THEN u.next_at ELSE d.next_attempt_at END,
    attempts = CASE WHEN u.state = 'queued' THEN d.attempts - 1 ELSE d.attempts END
  FROM (SELECT DISTINCT ON (id) * FROM r WHERE id IS NOT NULL ORDER BY id, ord) u
  WHERE d.send_id = ${p.send} AND d.subscriber_id = u.id AND (d.state = 'sending') IS TRUE
), bounced AS (
  UPDATE subscribers s SET status = 'bounced' FROM r
  WHERE r.bounce AND s.id = r.id AND s.status = 'active'
  RETURNING s.id, r.reply
), bounce_events AS (
  INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, reason, via)
  SELECT id, ${p.at}, 'active', 'bounced', reply, 'bounce' FROM bounced
)`;
}

/**
 * Beats the run's heartbeat ($2, $3, $4 messages sent) and claims up to $5 rows of send $1: due retries first, then
 * the queue, each read in index order FOR UPDATE SKIP LOCKED, so that senders in other processes, on other hosts,
 * pass over the rows another has locked and never claim the same one. A candidate whose subscriber is no longer
 * active is suppressed instead.
 */
const CLAIM_CTES = `beat AS (
  UPDATE send_runs SET heartbeat_at = $3, sent = sent + $4 WHERE id = $2
), due AS (
  SELECT subscriber_id, next_attempt_at FROM deliveries
  WHERE send_id = $1 AND state = 'retry' AND next_attempt_at <= $3
  ORDER BY next_attempt_at, subscriber_id LIMIT $5 FOR UPDATE SKIP LOCKED
), queued AS (
  SELECT subscriber_id, next_attempt_at FROM deliveries
  WHERE send_id = $1 AND state = 'queued'
  ORDER BY next_attempt_at, subscriber_id LIMIT greatest($5 - (SELECT count(*) FROM due), 0) FOR UPDATE SKIP LOCKED
), candidates AS (
  SELECT p.subscriber_id, p.previous, p.rank, p.next_attempt_at, s.status, s.email, s.name, s.token_key
  FROM (SELECT subscriber_id, 'retry' AS previous, 0 AS rank, next_attempt_at FROM due
        UNION ALL SELECT subscriber_id, 'queued', 1, next_attempt_at FROM queued) p
  LEFT JOIN LATERAL (SELECT status, email, name, token_key FROM subscribers s WHERE s.id = p.subscriber_id OFFSET 0) s ON true
), claimed AS (
  UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1, run_id = $2, updated_at = $3,
    first_attempt_at = coalesce(d.first_attempt_at, $3)
  WHERE d.send_id = $1 AND d.subscriber_id = ANY (ARRAY(SELECT subscriber_id FROM candidates WHERE status = 'active'))
  RETURNING d.subscriber_id, d.attempts, d.first_attempt_at
), suppressed AS (
  UPDATE deliveries d SET state = 'suppressed', updated_at = $3, reply = 'the subscriber is ' || coalesce(c.status, 'gone')
  FROM candidates c
  WHERE d.send_id = $1 AND d.subscriber_id = ANY (ARRAY(SELECT subscriber_id FROM candidates WHERE status IS DISTINCT FROM 'active'))
    AND c.subscriber_id = d.subscriber_id
)
SELECT c.subscriber_id, c.previous, c.email, c.name, c.token_key, k.attempts, k.first_attempt_at
FROM candidates c LEFT JOIN claimed k USING (subscriber_id)
ORDER BY c.rank, c.next_attempt_at, c.subscriber_id`;

/** A claimed row (attempts set) or a suppressed one (attempts null). */
export interface ClaimRow {
  subscriber_id: number;
  previous: 'queued' | 'retry';
  email: string | null;
  name: string | null;
  token_key: string | null;
  attempts: number | null;
  first_attempt_at: number | null;
}

export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

const RESULT_PARAMS = 7;

/** Groups are planned for 1, 2, 4, 8… results: a few statements per connection, whatever the sizes. */
const sizeFor = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

const texts = new Map<string, string>();
function statement(name: string, make: () => string, values: unknown[]): Statement {
  let text = texts.get(name);
  if (text === undefined) texts.set(name, (text = make()));
  return { name, text, values };
}

/** Seven parameters per result, the padding rows empty; a sent row's provider id is read from its 250 reply. */
function resultValues(results: readonly DeliveryResult[], size: number): unknown[] {
  const values: unknown[] = [];
  for (const r of results) {
    values.push(
      r.subscriberId,
      r.state,
      r.reply,
      r.state === 'sent' ? r.messageId : null,
      r.state === 'retry' ? r.nextAttemptAt : null,
      r.state === 'failed' && r.bounce,
      r.state === 'sent' ? providerIdFromReply(r.reply) : null,
    );
  }
  for (let i = results.length; i < size; i++) values.push(null, null, null, null, null, false, null);
  return values;
}

const sentIn = (results: readonly DeliveryResult[]) => results.filter((r) => r.state === 'sent').length;

/** The claim alone (no results), or only the heartbeat when `wanted` is 0. */
export function claimStatement(sendId: number, runId: number, results: readonly DeliveryResult[], wanted: number, now: number): Statement {
  return statement('ledger-claim', () => `WITH ${CLAIM_CTES}`, [sendId, runId, now, sentIn(results), Math.max(0, wanted)]);
}

/** The results recorded alone, before a claim in a second statement that must see them. */
export function settleStatement(sendId: number, results: readonly DeliveryResult[], now: number): Statement {
  const size = sizeFor(results.length);
  return statement(`ledger-settle-${size}`, () => `WITH ${settleCtes(size, { send: '$1', now: '$2', at: '$3', first: 4 })} SELECT 1`, [
    sendId,
    now,
    new Date(now).toISOString(),
    ...resultValues(results, size),
  ]);
}

/**
 * Results and claim in one statement, so one round trip and its own transaction. Its parts share one snapshot: the
 * claim does not see what the results change, which is the same only while no result makes its row claimable now.
 */
export function settleAndClaimStatement(sendId: number, runId: number, results: readonly DeliveryResult[], wanted: number, now: number): Statement {
  const size = sizeFor(results.length);
  return statement(`ledger-commit-${size}`, () => `WITH ${settleCtes(size, { send: '$1', now: '$3', at: '$6', first: 7 })}, ${CLAIM_CTES}`, [
    sendId,
    runId,
    now,
    sentIn(results),
    Math.max(0, wanted),
    new Date(now).toISOString(),
    ...resultValues(results, size),
  ]);
}

/** Whether a result puts its row back where this very commit would claim it: a retry due now, or an unclaim. */
export const claimableAt = (results: readonly DeliveryResult[], now: number): boolean =>
  results.some((r) => r.state === 'queued' || (r.state === 'retry' && r.nextAttemptAt <= now));
