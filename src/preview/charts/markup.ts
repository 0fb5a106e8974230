import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString;

/** Hono's auto-escaping `html` tag, held to the synchronous case: charts never interpolate a promise. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error('A chart interpolated a promise');
  return out;
}

/** Coordinates to two decimals: shorter paths, and the same SVG on every machine. */
export const px = (n: number): string => String(Math.round(n * 100) / 100);

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const DAY_YEAR = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const MINUTE = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });

/** "3 Dec", in UTC: the ledger and the events are stored in UTC, and the desk says so. */
export const dayLabel = (d: Date): string => DAY.format(d);
/** "3 Dec 2026". */
export const dayYearLabel = (d: Date): string => DAY_YEAR.format(d);
/** "14:05", UTC. */
export const minuteLabel = (d: Date): string => MINUTE.format(d);
export const count = (n: number): string => n.toLocaleString('en-US');
