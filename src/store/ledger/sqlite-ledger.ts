import type { Claimed, DeliveryResult, DeliveryState, Liveness, NewSend, RunInfo, RunRecord, SendRecord } from './records.ts';
import { LedgerHotPath, type BounceSink } from './hot-path.ts';
import { LedgerLifecycle } from './lifecycle.ts';
import { LedgerReports, type DeliveryRow } from './reports.ts';
import type { Db } from '../open.ts';
import { SqliteSubscriberStore } from '../sqlite-subscribers.ts';


/**
 * The ledger on SQLite: its lifecycle (ledger/lifecycle.ts), hot path (ledger/hot-path.ts) and reports
 * (ledger/reports.ts), each preparing its statements once, here. Every change is one transaction; claims are
 * IMMEDIATE, so two senders never share a row. Bounces go through the subscriber store.
 */
export class SqliteLedger {
  private readonly reports: LedgerReports;
  private readonly lifecycle: LedgerLifecycle;
  private readonly hot: LedgerHotPath;

  constructor(db: Db, bounces: BounceSink = new SqliteSubscriberStore(db)) {
    this.reports = new LedgerReports(db);
    this.lifecycle = new LedgerLifecycle(db, this.reports);
    this.hot = new LedgerHotPath(db, bounces);
  }

  // Lifecycle.
  plan(input: NewSend, now: number, options: { force?: boolean } = {}): { send: SendRecord; created: boolean } {
    return this.lifecycle.plan(input, now, options);
  }
  startRun(sendId: number, info: RunInfo, now: number): number {
    return this.lifecycle.startRun(sendId, info, now);
  }
  endRun(runId: number, outcome: string, now: number): void {
    this.lifecycle.endRun(runId, outcome, now);
  }
  recoverAbandoned(sendId: number, now: number, alive: Liveness): { subscriberId: number; email: string }[] {
    return this.lifecycle.recoverAbandoned(sendId, now, alive);
  }
  requeueInDoubt(sendId: number, now: number): number {
    return this.lifecycle.requeueInDoubt(sendId, now);
  }
  reopen(sendId: number): void {
    this.lifecycle.reopen(sendId);
  }
  suppressInactive(sendId: number, now: number): number {
    return this.lifecycle.suppressInactive(sendId, now);
  }
  finishIfDone(sendId: number, now: number): boolean {
    return this.lifecycle.finishIfDone(sendId, now);
  }

  // Hot path.
  commit(sendId: number, runId: number, results: readonly DeliveryResult[], wanted: number, now: number, onSuppressed?: (previous: 'queued' | 'retry') => void): Claimed[] {
    return this.hot.commit(sendId, runId, results, wanted, now, onSuppressed);
  }
  hasQueued(sendId: number): boolean {
    return this.hot.hasQueued(sendId);
  }
  nextRetryAt(sendId: number): number | null {
    return this.hot.nextRetryAt(sendId);
  }

  // Reports.
  latestSend(slug: string): SendRecord | null {
    return this.reports.latestSend(slug);
  }
  send(id: number): SendRecord | null {
    return this.reports.send(id);
  }
  sends(): SendRecord[] {
    return this.reports.sends();
  }
  runs(sendId: number): RunRecord[] {
    return this.reports.runs(sendId);
  }
  counts(sendId: number): Record<DeliveryState, number> {
    return this.reports.counts(sendId);
  }
  rows(sendId: number, state: DeliveryState, limit = 1000): DeliveryRow[] {
    return this.reports.rows(sendId, state, limit);
  }
  sentTimesSince(since: number): number[] {
    return this.reports.sentTimesSince(since);
  }
  sentMessage(subscriberId: number, messageId: string): boolean {
    return this.reports.sentMessage(subscriberId, messageId);
  }
  sentSince(sendId: number, since: number): number {
    return this.reports.sentSince(sendId, since);
  }
}
