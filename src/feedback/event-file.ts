import { createHash } from 'node:crypto';
import { record, text } from './event-fields.ts';
import type { FeedbackEvent } from './feedback-event.ts';
import { genericEvents } from './generic-events.ts';
import { mailgunEvent } from './mailgun-events.ts';
import { postmarkEvent } from './postmark-events.ts';
import { resendEvents } from './resend-events.ts';
import { sendgridEvents } from './sendgrid-events.ts';
import { sesEvents } from './ses-events.ts';

/** The file names read as provider event files rather than mail. */
export const EVENT_FILE = /\.(json|jsonl|ndjson)$/i;

/** Events from one place in an event file: `feedback.jsonl:3`, `export.json item 2`. */
export interface EventFileEntry {
  where: string;
  provider: string;
  events: FeedbackEvent[];
  ignored: number;
}

export type EventFileResult = { ok: true; entries: EventFileEntry[] } | { ok: false; error: string };

type Parsed = { provider: string; events: FeedbackEvent[]; ignored: number } | { error: string };

/**
 * A provider's feedback saved to disk, as events: `.json` holds one JSON value, `.jsonl` and `.ndjson` one per line.
 * Each value is recognised by its shape, through the same pure parsers as the webhooks:
 * - an SNS envelope (`Type: Notification`, the SES notification in `Message`) or an SES notification itself;
 * - a SendGrid event or array of them (`event` with `sg_event_id` or `sg_message_id`);
 * - a Mailgun webhook body (`event-data`), an item of its Events API, or a page of them (`items`);
 * - a Postmark webhook record (`RecordType`), or a Resend webhook body (`type` and `data`);
 * - a generic event or array of them (`kind`, `email`, `message_id`).
 * An array may mix them. A file is not verified as a webhook is (it is the writer's own); an event still changes
 * someone only when it matches a message this newsletter sent them. The first value that is not valid JSON or not
 * recognised fails the whole file, naming it and the line, so that nothing of a half-read file is applied.
 * `name` labels the errors; each SES event's key is the SNS MessageId, else a hash of the notification, so that
 * reading a file again, or a notification already received by webhook, records nothing twice.
 */
export function eventsFromFile(name: string, content: string, now: number): EventFileResult {
  const entries: EventFileEntry[] = [];
  const add = (where: string, value: unknown): string | null => {
    const items = Array.isArray(value) ? value.map((v, i) => ({ where: `${where} item ${i + 1}`, value: v })) : [{ where, value }];
    for (const item of items) {
      const parsed = parseValue(item.value, now);
      if ('error' in parsed) return `${item.where}: ${parsed.error}`;
      entries.push({ where: item.where, ...parsed });
    }
    return null;
  };
  if (/\.json$/i.test(name)) {
    const value = parseJson(content);
    if ('error' in value) return { ok: false, error: `${name}:${value.error}` };
    const error = add(name, value.json);
    return error ? { ok: false, error } : { ok: true, entries };
  }
  for (const [i, line] of content.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const value = parseJson(line);
    if ('error' in value) return { ok: false, error: `${name}:${i + 1}: ${value.error.replace(/^\d+: /, '')}` };
    const error = add(`${name}:${i + 1}`, value.json);
    if (error) return { ok: false, error };
  }
  return { ok: true, entries };
}

/** JSON, or where it stops being JSON: `3: Unexpected token …` (the line, from the position Node reports). */
function parseJson(content: string): { json: unknown } | { error: string } {
  try {
    return { json: JSON.parse(content) };
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? content.slice(0, Number(at[1])).split('\n').length : 1;
    return { error: `${line}: not JSON: ${message}` };
  }
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

function parseValue(value: unknown, now: number): Parsed {
  const v = record(value);
  if (!v) return { error: 'not a JSON object or array of them' };
  const tag = <T extends { events: FeedbackEvent[]; ignored: number } | { error: string }>(provider: string, r: T): Parsed => ('error' in r ? { error: r.error } : { provider, ...r });

  if (v.Type === 'Notification' && typeof v.Message === 'string' && typeof v.MessageId === 'string') {
    const inner = parseJson(v.Message);
    if ('error' in inner) return { error: `the SNS notification's Message is not JSON` };
    return tag('ses', sesEvents(inner.json, v.MessageId, now));
  }
  if (typeof v.notificationType === 'string' || (typeof v.eventType === 'string' && record(v.mail))) return tag('ses', sesEvents(v, `file:${sha(v)}`, now));
  if (typeof v.event === 'string' && (v.sg_event_id !== undefined || v.sg_message_id !== undefined)) return tag('sendgrid', sendgridEvents([v], now));
  if (record(v['event-data'])) return tag('mailgun', mailgunEvent(v, now));
  if (Array.isArray(v.items) && record(v.paging)) {
    const out: FeedbackEvent[] = [];
    let ignored = 0;
    for (const [i, item] of v.items.entries()) {
      const r = mailgunEvent({ 'event-data': item }, now);
      if ('error' in r) return { error: `Mailgun item ${i + 1}: ${r.error}` };
      out.push(...r.events);
      ignored += r.ignored;
    }
    return { provider: 'mailgun', events: out, ignored };
  }
  if (typeof v.event === 'string' && typeof v.recipient === 'string' && typeof v.id === 'string') return tag('mailgun', mailgunEvent({ 'event-data': v }, now));
  if (typeof v.RecordType === 'string') return tag('postmark', postmarkEvent(v, now));
  if (typeof v.type === 'string' && record(v.data)) return tag('resend', resendEvents(v, now));
  if (typeof v.kind === 'string' && text(v.email) !== null) {
    const r = genericEvents([v], now);
    // Its error counts events in the batch of one it was given; the place in the file is said already.
    return 'error' in r ? { error: r.error.replace(/^event 1: /, '') } : { provider: 'generic', ...r };
  }
  return { error: 'not an event this reads: an SES notification (or its SNS envelope), SendGrid, Mailgun, Postmark or Resend event, or a generic {kind, email, message_id, at}' };
}
