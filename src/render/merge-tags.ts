import { diag, type Diagnostic } from '../core/diagnostic.ts';

/** The per-subscriber fields a body or template may use. `web_url` is per issue and rendered directly. */
export const MERGE_TAGS = ['subscriber.name', 'subscriber.email', 'unsubscribe_url', 'web_url'] as const;

export type SlotName = 'name' | 'email' | 'unsubscribe';

/**
 * Placeholders stand in for per-subscriber values through Markdown, sanitising, MJML and html-to-text: plain letters
 * and digits, which none of them rewrite. The nonce keeps them from matching anything the writer typed.
 */
export interface Placeholders {
  /** What all three start with. */
  prefix: string;
  name: string;
  email: string;
  unsubscribe: string;
  /** Matches any of the three, capturing the slot. */
  pattern: RegExp;
}

export function makePlaceholders(sources: readonly string[]): Placeholders {
  let n = 0;
  const taken = (prefix: string) => sources.some((s) => s.includes(prefix));
  while (taken(`nlmerge${n}`)) n++;
  return placeholdersFor(`nlmerge${n}`);
}

/** The placeholders of a prefix chosen earlier (a send's frozen HTML and text keep theirs). */
export function placeholdersFor(p: string): Placeholders {
  return {
    prefix: p,
    name: `${p}namez`,
    email: `${p}emailz`,
    unsubscribe: `${p}unsubz`,
    pattern: new RegExp(`${p}(name|email|unsub)z`, 'g'),
  };
}

/**
 * A subscriber's name or email placeholder at the very start of a URL (`[x]({{subscriber.name}})`): the subscriber
 * would choose the link's scheme (`javascript:`), so such links are removed. Later in a URL they are only data.
 */
export function startsWithSubscriberData(url: string): boolean {
  return /^nlmerge\d+(?:name|email)z/.test(url);
}

/** Placeholders shown as the merge tags the writer typed, for messages. */
export function asMergeTags(text: string): string {
  return text.replace(/nlmerge\d+(name|email|unsub)z/g, (_, code: string) =>
    code === 'unsub' ? '{{unsubscribe_url}}' : `{{subscriber.${code}}}`,
  );
}

export function slotOf(code: string): SlotName {
  return code === 'unsub' ? 'unsubscribe' : (code as SlotName);
}

/** The values templates see: placeholders for subscriber data, the real URL for the web page. */
export function mergeContext(ph: Placeholders, webUrl: string) {
  return {
    subscriber: { name: ph.name, email: ph.email },
    unsubscribe_url: ph.unsubscribe,
    web_url: webUrl,
  };
}

const TAG = /^\{\{\s*([^{}]*?)\s*\}\}/;

/**
 * Expands merge tags in a Markdown body: the four known tags become placeholders (or the web URL); `\{{` writes
 * literal braces; `{{! notes }}` are dropped; anything else (unknown names, helpers, blocks, partials, triple
 * braces) is an error with its line. A body is not a full Handlebars template: only these tags exist in it.
 */
export function expandBodyTags(
  body: string,
  file: string,
  firstLine: number,
  ph: Placeholders,
  webUrl: string,
): { markdown: string; diagnostics: Diagnostic[] } {
  if (!body.includes('{{')) return { markdown: body, diagnostics: [] };
  const values: Record<string, string> = {
    'subscriber.name': ph.name,
    'subscriber.email': ph.email,
    unsubscribe_url: ph.unsubscribe,
    web_url: webUrl,
  };
  const known = MERGE_TAGS.map((t) => `{{${t}}}`).join(', ');
  const diagnostics: Diagnostic[] = [];
  let out = '';
  let from = 0;
  let line = firstLine;
  let counted = 0;
  // Lines are counted forward from the last tag, so the whole scan stays linear.
  const lineAt = (index: number) => {
    let newline = body.indexOf('\n', counted);
    while (newline !== -1 && newline < index) {
      line++;
      counted = newline + 1;
      newline = body.indexOf('\n', counted);
    }
    return line;
  };
  for (let at = body.indexOf('{{'); at !== -1; at = body.indexOf('{{', from)) {
    if (body[at - 1] === '\\') {
      out += `${body.slice(from, at - 1)}{{`;
      from = at + 2;
      continue;
    }
    out += body.slice(from, at);
    if (body.startsWith('{{!', at)) {
      const end = body.startsWith('{{!--', at) ? body.indexOf('--}}', at) : body.indexOf('}}', at);
      if (end === -1) {
        diagnostics.push(diag(file, lineAt(at), 'error', 'merge-tags/syntax', 'a {{! comment is never closed'));
        return { markdown: out, diagnostics };
      }
      from = end + (body.startsWith('--}}', end) ? 4 : 2);
      continue;
    }
    const tag = TAG.exec(body.slice(at, at + 200));
    const name = tag?.[1] ?? '';
    if (tag && Object.hasOwn(values, name) && !body.startsWith('{{{', at)) {
      out += values[name];
      from = at + tag[0].length;
      continue;
    }
    const shown = tag ? tag[0] : body.slice(at, body.indexOf('\n', at) === -1 ? undefined : body.indexOf('\n', at)).slice(0, 40);
    const message = body.startsWith('{{{', at)
      ? `triple braces are not allowed: subscriber data is always escaped; use ${known}`
      : `unknown merge tag ${shown}: use ${known}, or \\{{ for literal braces`;
    diagnostics.push(diag(file, lineAt(at), 'error', body.startsWith('{{{', at) ? 'merge-tags/unescaped' : 'merge-tags/unknown', message));
    const close = body.indexOf('}}', at);
    from = close === -1 ? at + 2 : close + (body[close + 2] === '}' ? 3 : 2);
    out += body.slice(at, from);
  }
  return { markdown: out + body.slice(from), diagnostics };
}
