import { escapeHtml } from '../core/escape.ts';
import { slotOf, type Placeholders, type SlotName } from './merge-tags.ts';

export interface Recipient {
  name: string;
  email: string;
  unsubscribeUrl: string;
}

interface CompiledPart {
  /** Static bytes, encoded once. */
  parts: Buffer[];
  /** The slot filled between parts[i] and parts[i + 1]. */
  slots: SlotName[];
}

export interface PersonalisedEmail {
  html: Buffer;
  text: Buffer;
}

/**
 * The per-subscriber template: the final HTML and text split at the placeholders once per issue. Filling it is a
 * join of precomputed bytes with the subscriber's values, which are data only: HTML-escaped in the HTML, never
 * compiled or interpreted as a template in either part.
 */
export class RecipientTemplate {
  private readonly html: CompiledPart;
  private readonly text: CompiledPart;

  constructor(html: string, text: string, placeholders: Placeholders) {
    this.html = split(html, placeholders);
    this.text = split(text, placeholders);
  }

  render(recipient: Recipient): PersonalisedEmail {
    const values: Record<SlotName, string> = {
      name: recipient.name,
      email: recipient.email,
      unsubscribe: recipient.unsubscribeUrl,
    };
    return {
      html: fill(this.html, values, escapeHtml),
      text: fill(this.text, values, (v) => v),
    };
  }
}

function split(source: string, placeholders: Placeholders): CompiledPart {
  const parts: Buffer[] = [];
  const slots: SlotName[] = [];
  const { prefix } = placeholders;
  let last = 0;
  for (let at = source.indexOf(prefix); at !== -1; at = source.indexOf(prefix, at + 1)) {
    const code = /^(name|email|unsub)z/.exec(source.slice(at + prefix.length, at + prefix.length + 6));
    if (!code) continue;
    parts.push(Buffer.from(source.slice(last, at), 'utf8'));
    slots.push(slotOf(code[1]!));
    last = at = at + prefix.length + code[0].length;
  }
  parts.push(Buffer.from(source.slice(last), 'utf8'));
  return { parts, slots };
}

function fill(compiled: CompiledPart, values: Record<SlotName, string>, encode: (v: string) => string): Buffer {
  const { parts, slots } = compiled;
  if (slots.length === 0) return parts[0]!;
  const chunks: Buffer[] = new Array<Buffer>(parts.length + slots.length);
  const encoded: Partial<Record<SlotName, Buffer>> = {};
  let length = 0;
  for (let i = 0; i < parts.length; i++) {
    chunks[2 * i] = parts[i]!;
    length += parts[i]!.length;
    if (i < slots.length) {
      const slot = slots[i]!;
      const value = (encoded[slot] ??= Buffer.from(encode(values[slot]), 'utf8'));
      chunks[2 * i + 1] = value;
      length += value.length;
    }
  }
  return Buffer.concat(chunks, length);
}
