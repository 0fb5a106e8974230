/**
 * What a send shows while it runs and when it ends. Formatting is pure; `ProgressReporter` decides when to write,
 * with the clock passed in.
 */

export interface ProgressSnapshot {
  /** Rows in the send. */
  total: number;
  sent: number;
  failed: number;
  /** Rows waiting for a retry. */
  retrying: number;
  inDoubt: number;
  suppressed: number;
  queued: number;
  /** Rows in flight. */
  sending: number;
  /** Recent messages a second (see RateMeter). */
  ratePerSecond: number;
  /** When the send (this run) started, in ms. */
  startedAt: number;
}

/** The fewest ms between two redraws on a terminal: faster is flicker nobody can read. */
const TTY_REDRAW_MS = 100;
const DEFAULT_INTERVAL_MS = 5000;
const BAR_MAX = 30;
/** A narrower bar says nothing the percentage does not. */
const BAR_MIN = 10;

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const tenths = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A count with thousands separators: `12,345`. */
export const formatCount = (n: number): string => whole.format(n);

/** `1,234/s`, `2.5/s`, and per minute below one a second (`8.3/min`), where an hourly cap puts slow sends. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0/s';
  if (perSecond < 1) return `${tenths.format(perSecond * 60)}/min`;
  return `${(perSecond < 10 ? tenths : whole).format(perSecond)}/s`;
}

/** `45s`, `3m 20s`, `2h 5m`, `1d 3h`; `—` when not a finite number. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Rows with a final state, whatever it is. */
const finished = (s: ProgressSnapshot) => s.sent + s.failed + s.inDoubt + s.suppressed;

/** Progress through the list (every final state counts), 0..1: a send with failures still reaches 100%. */
function fraction(s: ProgressSnapshot): number {
  return s.total > 0 ? Math.min(1, Math.max(0, finished(s) / s.total)) : 1;
}

/** Time left at the recent rate for every row not final (retries included); `—` when nothing is moving. */
export function formatEta(s: ProgressSnapshot): string {
  const remaining = Math.max(0, s.total - finished(s));
  if (remaining === 0) return formatDuration(0);
  if (!Number.isFinite(s.ratePerSecond) || s.ratePerSecond <= 0) return '—';
  return formatDuration(Math.ceil(remaining / s.ratePerSecond) * 1000);
}

interface Field {
  text: string;
  /** Fields with lower numbers go first when the terminal is too narrow; the count never goes. */
  keep: number;
  /** Joined to the next field with a space rather than a comma. */
  lead?: boolean;
}

function fields(s: ProgressSnapshot): Field[] {
  return [
    { text: `${Math.floor(fraction(s) * 100)}%`, keep: 5, lead: true },
    { text: `${formatCount(s.sent)}/${formatCount(s.total)} sent`, keep: Infinity },
    { text: `${formatCount(s.failed)} failed`, keep: 3 },
    { text: `${formatCount(s.retrying)} retrying`, keep: 1 },
    { text: formatRate(s.ratePerSecond), keep: 2 },
    { text: `ETA ${formatEta(s)}`, keep: 4 },
  ];
}

/** `45% 1,234/10,000 sent, 3 failed, …`: the percentage joins the count with a space, the rest with commas. */
function join(list: Field[]): string {
  return list.map((f, i) => (i === list.length - 1 ? f.text : `${f.text}${f.lead ? ' ' : ', '}`)).join('');
}

/** The line for a log: no bar, nothing left out, the run's elapsed time first since logs may have no timestamps. */
export function plainLine(s: ProgressSnapshot, now: number): string {
  return `[${formatDuration(now - s.startedAt)}] ${join(fields(s))}`;
}

/**
 * The line for a terminal `columns` wide, kept to `columns - 1` characters (some terminals wrap as soon as the
 * last column is written, and a wrapped line cannot be redrawn with `\r`): fields go, least useful first, then
 * the bar gets what room is left.
 */
export function terminalLine(s: ProgressSnapshot, columns: number): string {
  const limit = Math.max(1, (Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : 80) - 1);
  let kept = fields(s);
  while (join(kept).length > limit) {
    const least = kept.reduce((a, b) => (b.keep < a.keep ? b : a));
    if (least.keep === Infinity) break;
    kept = kept.filter((f) => f !== least);
  }
  const text = join(kept).slice(0, limit);
  const width = Math.min(BAR_MAX, limit - text.length - 3);
  if (width < BAR_MIN) return text;
  const filled = Math.floor(fraction(s) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`;
}

/** What the send did, one fact a line. `elapsedMs` is this run's time, for the average rate. */
export function formatSummary(s: ProgressSnapshot, elapsedMs: number): string {
  const rows: [string, string][] = [
    ['Sent', `${formatCount(s.sent)} of ${formatCount(s.total)}`],
    ['Failed', formatCount(s.failed)],
    ['Suppressed', formatCount(s.suppressed)],
    ['In doubt', formatCount(s.inDoubt)],
    ['Waiting for retry', formatCount(s.retrying)],
  ];
  // Only a run that stopped early leaves these; a finished one would show a puzzling zero.
  const unsent = s.queued + s.sending;
  if (unsent > 0) rows.push(['Not sent yet', formatCount(unsent)]);
  const average = elapsedMs > 0 ? ` (${formatRate(s.sent / (elapsedMs / 1000))} on average)` : '';
  rows.push(['Elapsed', `${formatDuration(elapsedMs)}${average}`]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`).join('\n');
}

export interface ProgressOutput {
  write(s: string): void;
  isTTY: boolean;
  /** Read at each redraw, so passing `process.stderr` itself follows resizes. */
  columns: number;
  /** Ms between plain lines when not a terminal; 5000 by default. */
  intervalMs?: number;
}

/**
 * Writes progress to a stream: on a terminal one line redrawn in place at most every 100 ms, elsewhere a plain
 * line every `intervalMs` (the first update always writes). `finish` writes the final state and the summary.
 */
export class ProgressReporter {
  private lastAt = -Infinity;
  private done = false;

  constructor(private readonly out: ProgressOutput) {}

  update(snapshot: ProgressSnapshot, now: number): void {
    if (this.done) return;
    const every = this.out.isTTY ? TTY_REDRAW_MS : (this.out.intervalMs ?? DEFAULT_INTERVAL_MS);
    if (now - this.lastAt < every) return;
    this.lastAt = now;
    this.out.write(this.line(snapshot, now));
  }

  finish(snapshot: ProgressSnapshot, now: number): void {
    if (this.done) return;
    this.done = true;
    // On a terminal the redrawn line stays as the last state; the newline leaves the cursor on a clean line.
    const last = this.out.isTTY ? `${this.line(snapshot, now)}\n` : this.line(snapshot, now);
    this.out.write(`${last}${formatSummary(snapshot, now - snapshot.startedAt)}\n`);
  }

  private line(snapshot: ProgressSnapshot, now: number): string {
    return this.out.isTTY ? `\r\x1b[2K${terminalLine(snapshot, this.out.columns)}` : `${plainLine(snapshot, now)}\n`;
  }
}

/** Completions over about the last 10 s (in 100 ms slots, so memory stays small at any rate). */
export class RateMeter {
  private readonly slots: { at: number; n: number }[] = [];
  private readonly windowMs: number;
  private origin: number | null;

  /** `now`, when given, is when counting started, so the first seconds are not read as a longer quiet window. */
  constructor(opts: { windowMs?: number; now?: number } = {}) {
    this.windowMs = opts.windowMs ?? 10_000;
    this.origin = opts.now ?? null;
  }

  add(now: number, n = 1): void {
    this.origin ??= now;
    const last = this.slots.at(-1);
    if (last && now - last.at < 100) last.n += n;
    else this.slots.push({ at: now, n });
    this.prune(now);
  }

  /** Messages a second over the window, or over the time since counting began when that is shorter (≥ 1 s). */
  rate(now: number): number {
    if (this.origin === null) return 0;
    this.prune(now);
    const span = Math.min(this.windowMs, Math.max(1000, now - this.origin));
    return this.slots.reduce((sum, slot) => sum + slot.n, 0) / (span / 1000);
  }

  private prune(now: number): void {
    for (let first = this.slots[0]; first && first.at <= now - this.windowMs; first = this.slots[0]) this.slots.shift();
  }
}
