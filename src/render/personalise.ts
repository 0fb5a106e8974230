import { escapeHtml } from '../core/escape.ts';
import { htmlContexts, textContexts, type Context, type ContextReader } from './slot-context.ts';
import { decodeDefault, SLOT_SOURCE, slotOf, type Placeholders, type SlotName } from './merge-tags.ts';

export interface Recipient {
  name: string;
  email: string;
  unsubscribeUrl: string;
  /** The reader's preferences page; where none is given (a sample, a test), the unsubscribe link stands in. */
  preferencesUrl?: string;
}

function encodeFor(value: string, context: Context): string {
  if (context === 'text') return value;
  const encoded = encodeURIComponent(value);
  return context === 'address' ? encoded.replace(/%40/g, '@') : encoded;
}

interface CompiledPart {
  /** Static bytes, encoded once. */
  parts: Buffer[];
  /** The slot filled between parts[i] and parts[i + 1], its context, and what a name with no value shows. */
  slots: { name: SlotName; context: Context; fallback: string }[];
}

/** The value a slot shows: the subscriber's, or the tag's default when the subscriber has no name. */
function valueFor(values: Record<SlotName, string>, name: SlotName, fallback: string): string {
  const value = values[name];
  return fallback !== '' && value.trim() === '' ? fallback : value;
}

export interface PersonalisedEmail {
  html: Buffer;
  text: Buffer;
}

/**
 * The per-subscriber template: the final HTML and text split at the placeholders once per issue. Filling it is a
 * join of precomputed bytes with the subscriber's values, which are data only: HTML-escaped in the HTML, never
 * compiled or interpreted as a template in either part. A value placed inside a URL (a survey link carrying the
 * reader's name) is also percent-encoded, so `&` or a space in a name cannot change the link.
 */
export class RecipientTemplate {
  private readonly html: CompiledPart;
  private readonly text: CompiledPart;

  constructor(html: string, text: string, placeholders: Placeholders) {
    this.html = split(html, placeholders, htmlContexts);
    this.text = split(text, placeholders, textContexts);
  }

  render(recipient: Recipient): PersonalisedEmail {
    const values = slotValues(recipient);
    return {
      html: fill(this.html, values, (v, context) => escapeHtml(encodeFor(v, context))),
      text: fill(this.text, values, encodeFor),
    };
  }

  /**
   * One part as render() builds it, for encoders that precompute the static bytes (the MIME template): `parts` are
   * the static bytes and `values` the strings render() puts between them for a recipient, escaped and encoded alike.
   */
  pieces(part: 'html' | 'text'): { parts: readonly Buffer[]; values: (recipient: Recipient) => string[] } {
    const { parts, slots } = this[part];
    const encode = part === 'html' ? (v: string, context: Context) => escapeHtml(encodeFor(v, context)) : encodeFor;
    return {
      parts,
      values: (recipient) => {
        const values = slotValues(recipient);
        return slots.map(({ name, context, fallback }) => encode(valueFor(values, name, fallback), context));
      },
    };
  }
}

function slotValues(recipient: Recipient): Record<SlotName, string> {
  return {
    name: recipient.name,
    email: recipient.email,
    unsubscribe: recipient.unsubscribeUrl,
    preferences: recipient.preferencesUrl ?? recipient.unsubscribeUrl,
  };
}

function split(source: string, placeholders: Placeholders, contexts: (source: string) => ContextReader): CompiledPart {
  const contextAt = contexts(source);
  const parts: Buffer[] = [];
  const slots: CompiledPart['slots'] = [];
  const { prefix } = placeholders;
  const slot = new RegExp(SLOT_SOURCE, 'y');
  let last = 0;
  for (let at = source.indexOf(prefix); at !== -1; at = source.indexOf(prefix, at + 1)) {
    slot.lastIndex = at + prefix.length;
    const code = slot.exec(source);
    if (!code) continue;
    parts.push(Buffer.from(source.slice(last, at), 'utf8'));
    slots.push({ name: slotOf(code[1]!), context: contextAt(at), fallback: code[2] ? decodeDefault(code[2]) : '' });
    last = at = at + prefix.length + code[0].length;
  }
  parts.push(Buffer.from(source.slice(last), 'utf8'));
  return { parts, slots };
}

function fill(
  compiled: CompiledPart,
  values: Record<SlotName, string>,
  encode: (value: string, context: Context) => string,
): Buffer {
  const { parts, slots } = compiled;
  if (slots.length === 0) return parts[0]!;
  const chunks: Buffer[] = new Array<Buffer>(parts.length + slots.length);
  const encoded = new Map<string, Buffer>();
  let length = 0;
  for (let i = 0; i < parts.length; i++) {
    chunks[2 * i] = parts[i]!;
    length += parts[i]!.length;
    if (i < slots.length) {
      const { name, context, fallback } = slots[i]!;
      const key = `${name} ${context} ${fallback}`;
      let value = encoded.get(key);
      if (!value) encoded.set(key, (value = Buffer.from(encode(valueFor(values, name, fallback), context), 'utf8')));
      chunks[2 * i + 1] = value;
      length += value.length;
    }
  }
  return Buffer.concat(chunks, length);
}
