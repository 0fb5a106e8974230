import type pg from 'pg';
import type { Audience, AudiencePreview } from '../ledger/audience-sql.ts';
import type { DeliveryRow, Ledger, PlanOptions } from '../ledger/ledger.ts';
import type { Claimed, DeliveryResult, DeliveryState, Liveness, NewSend, RunInfo, RunRecord, SendRecord } from '../ledger/records.ts';
import { PgLedgerHotPath } from './pg-ledger-hot-path.ts';
import { PgLedgerLifecycle } from './pg-ledger-lifecycle.ts';
import { PgLedgerReports } from './pg-ledger-reports.ts';

/**
 * The ledger on PostgreSQL, behaving as the SQLite one does (both run test/store/ledger-contract.ts): its lifecycle
 * (pg-ledger-lifecycle.ts), hot path (pg-ledger-hot-path.ts) and reports (pg-ledger-reports.ts). Every method is one
 * transaction on one pooled client. Claims skip rows other senders have locked, so several processes on several
 * hosts can share one send; a bounce is written by the ledger's own statement, in its transaction.
 */
export class PgLedger implements Ledger {
  private readonly reports: PgLedgerReports;
  private readonly lifecycle: PgLedgerLifecycle;
  private readonly hot: PgLedgerHotPath;

  constructor(pool: pg.Pool) {
    this.reports = new PgLedgerReports(pool);
    this.lifecycle = new PgLedgerLifecycle(pool, this.reports);
    this.hot = new PgLedgerHotPath(pool);
  }

  // Lifecycle.
  plan(input: NewSend, now: number, options: PlanOptions = {}): Promise<{ send: SendRecord; created: boolean }> {
    return this.lifecycle.plan(input, now, options);
  }
  previewAudience(audience: Audience, sampleSize: number): Promise<AudiencePreview> {
    return this.reports.previewAudience(audience, sampleSize);
  }
  startRun(sendId: number, info: RunInfo, now: number): Promise<number> {
    return this.lifecycle.startRun(sendId, info, now);
  }
  endRun(runId: number, outcome: string, now: number): Promise<void> {
    return this.lifecycle.endRun(runId, outcome, now);
  }
  recoverAbandoned(sendId: number, now: number, alive: Liveness): Promise<{ subscriberId: number; email: string }[]> {
    return this.lifecycle.recoverAbandoned(sendId, now, alive);
  }
  requeueInDoubt(sendId: number, now: number): Promise<number> {
    return this.lifecycle.requeueInDoubt(sendId, now);
  }
  reopen(sendId: number): Promise<void> {
    return this.lifecycle.reopen(sendId);
  }
  suppressInactive(sendId: number, now: number): Promise<number> {
    return this.lifecycle.suppressInactive(sendId, now);
  }
  finishIfDone(sendId: number, now: number): Promise<boolean> {
    return this.lifecycle.finishIfDone(sendId, now);
  }

  // Hot path.
  commit(sendId: number, runId: number, results: readonly DeliveryResult[], wanted: number, now: number, onSuppressed?: (previous: 'queued' | 'retry') => void): Promise<Claimed[]> {
    return this.hot.commit(sendId, runId, results, wanted, now, onSuppressed);
  }
  hasQueued(sendId: number): Promise<boolean> {
    return this.hot.hasQueued(sendId);
  }
  nextRetryAt(sendId: number): Promise<number | null> {
    return this.hot.nextRetryAt(sendId);
  }

  // Reports.
  latestSend(slug: string): Promise<SendRecord | null> {
    return this.reports.latestSend(slug);
  }
  send(id: number): Promise<SendRecord | null> {
    return this.reports.send(id);
  }
  sends(): Promise<SendRecord[]> {
    return this.reports.sends();
  }
  runs(sendId: number): Promise<RunRecord[]> {
    return this.reports.runs(sendId);
  }
  counts(sendId: number): Promise<Record<DeliveryState, number>> {
    return this.reports.counts(sendId);
  }
  rows(sendId: number, state: DeliveryState, limit = 1000): Promise<DeliveryRow[]> {
    return this.reports.rows(sendId, state, limit);
  }
  sentTimesSince(since: number): Promise<number[]> {
    return this.reports.sentTimesSince(since);
  }
  sentMessage(subscriberId: number, messageId: string): Promise<boolean> {
    return this.reports.sentMessage(subscriberId, messageId);
  }
  sentSince(sendId: number, since: number): Promise<number> {
    return this.reports.sentSince(sendId, since);
  }
}
