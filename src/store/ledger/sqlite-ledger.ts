import type { Claimed, DeliveryResult, DeliveryState, Liveness, NewSend, RunInfo, RunRecord, SendRecord } from './records.ts';
import { LedgerHotPath, type BounceSink } from './hot-path.ts';
import type { DeliveryRow, Ledger, PlanOptions } from './ledger.ts';
import type { Audience, AudiencePreview } from './audience-sql.ts';
import { LedgerLifecycle } from './lifecycle.ts';
import { LedgerReports } from './reports.ts';
import type { Db } from '../open.ts';
import { SqliteSubscriberTable } from '../sqlite-subscribers.ts';

/**
 * The ledger on SQLite: its lifecycle (ledger/lifecycle.ts), hot path (ledger/hot-path.ts) and reports
 * (ledger/reports.ts), each preparing its statements once, here. Every change is one transaction, done
 * synchronously (better-sqlite3) before the promise resolves; claims are IMMEDIATE, so two senders never share a
 * row. Bounces go through the subscriber table, inside the commit's transaction.
 */
export class SqliteLedger implements Ledger {
  private readonly reports: LedgerReports;
  private readonly lifecycle: LedgerLifecycle;
  private readonly hot: LedgerHotPath;

  constructor(db: Db, bounces: BounceSink = new SqliteSubscriberTable(db)) {
    this.reports = new LedgerReports(db);
    this.lifecycle = new LedgerLifecycle(db, this.reports);
    this.hot = new LedgerHotPath(db, bounces);
  }

  // Lifecycle.
  async plan(input: NewSend, now: number, options: PlanOptions = {}): Promise<{ send: SendRecord; created: boolean }> {
    return this.lifecycle.plan(input, now, options);
  }
  async previewAudience(audience: Audience, sampleSize: number): Promise<AudiencePreview> {
    return this.reports.previewAudience(audience, sampleSize);
  }
  async startRun(sendId: number, info: RunInfo, now: number): Promise<number> {
    return this.lifecycle.startRun(sendId, info, now);
  }
  async endRun(runId: number, outcome: string, now: number): Promise<void> {
    this.lifecycle.endRun(runId, outcome, now);
  }
  async recoverAbandoned(sendId: number, now: number, alive: Liveness): Promise<{ subscriberId: number; email: string }[]> {
    return this.lifecycle.recoverAbandoned(sendId, now, alive);
  }
  async requeueInDoubt(sendId: number, now: number): Promise<number> {
    return this.lifecycle.requeueInDoubt(sendId, now);
  }
  async reopen(sendId: number): Promise<void> {
    this.lifecycle.reopen(sendId);
  }
  async suppressInactive(sendId: number, now: number): Promise<number> {
    return this.lifecycle.suppressInactive(sendId, now);
  }
  async finishIfDone(sendId: number, now: number): Promise<boolean> {
    return this.lifecycle.finishIfDone(sendId, now);
  }

  // Hot path.
  async commit(sendId: number, runId: number, results: readonly DeliveryResult[], wanted: number, now: number, onSuppressed?: (previous: 'queued' | 'retry') => void): Promise<Claimed[]> {
    return this.hot.commit(sendId, runId, results, wanted, now, onSuppressed);
  }
  async hasQueued(sendId: number): Promise<boolean> {
    return this.hot.hasQueued(sendId);
  }
  async nextRetryAt(sendId: number): Promise<number | null> {
    return this.hot.nextRetryAt(sendId);
  }

  // Reports.
  async latestSend(slug: string): Promise<SendRecord | null> {
    return this.reports.latestSend(slug);
  }
  async send(id: number): Promise<SendRecord | null> {
    return this.reports.send(id);
  }
  async sends(): Promise<SendRecord[]> {
    return this.reports.sends();
  }
  async runs(sendId: number): Promise<RunRecord[]> {
    return this.reports.runs(sendId);
  }
  async counts(sendId: number): Promise<Record<DeliveryState, number>> {
    return this.reports.counts(sendId);
  }
  async rows(sendId: number, state: DeliveryState, limit = 1000): Promise<DeliveryRow[]> {
    return this.reports.rows(sendId, state, limit);
  }
  async sentTimesSince(since: number): Promise<number[]> {
    return this.reports.sentTimesSince(since);
  }
  async sentMessage(subscriberId: number, messageId: string): Promise<boolean> {
    return this.reports.sentMessage(subscriberId, messageId);
  }
  async sentSince(sendId: number, since: number): Promise<number> {
    return this.reports.sentSince(sendId, since);
  }
}
