import { CONTROL_CHARACTER } from '../core/control-characters.ts';
import { diag, type Diagnostic } from '../core/diagnostic.ts';

/** The per-subscriber fields a body or template may use. `web_url` is per issue and rendered directly. */
export const MERGE_TAGS = ['subscriber.name', 'subscriber.email', 'unsubscribe_url', 'preferences_url', 'web_url'] as const;

export type SlotName = 'name' | 'email' | 'unsubscribe' | 'preferences';

/** The longest default a name tag may carry: a greeting's word or two, not a paragraph. */
export const NAME_DEFAULT_MAX = 60;

/**
 * A placeholder after its prefix: the slot, and for a name with a default (`{{subscriber.name default="friend"}}`)
 * the default's UTF-8 bytes in hex, so it survives every step as letters and digits: `namez`, `named667269656e64z`.
 */
export const SLOT_SOURCE = '(name|email|unsub|prefs)(?:d([0-9a-f]+))?z';

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
  /** The reader's preferences page (issue 16): topics to keep or leave, or everything. */
  preferences: string;
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
    preferences: `${p}prefsz`,
    pattern: new RegExp(`${p}${SLOT_SOURCE}`, 'g'),
  };
}

/** The name placeholder, carrying the default shown when a subscriber has no name. */
export function namePlaceholder(ph: Placeholders, fallback: string | undefined): string {
  return fallback ? `${ph.prefix}named${Buffer.from(fallback, 'utf8').toString('hex')}z` : ph.name;
}

/** A default back from its placeholder's hex. */
export function decodeDefault(hex: string): string {
  return Buffer.from(hex, 'hex').toString('utf8');
}

/** Why a default cannot be used, or null. */
function defaultProblem(fallback: unknown): string | null {
  if (typeof fallback !== 'string' || fallback.trim() === '') return 'the default must be a non-empty string in double quotes';
  // Line breaks and other control characters cannot go into a greeting (the rule of one-line fields).
  if (CONTROL_CHARACTER.test(fallback)) return 'the default must be one line of text';
  if (fallback.length > NAME_DEFAULT_MAX) return `the default is ${fallback.length} characters; at most ${NAME_DEFAULT_MAX}`;
  return null;
}

/**
 * A subscriber's name or email placeholder at the very start of a URL (`[x]({{subscriber.name}})`): the subscriber
 * would choose the link's scheme (`javascript:`), so such links are removed. Later in a URL they are only data.
 */
export function startsWithSubscriberData(url: string): boolean {
  return /^nlmerge\d+(?:name|email)(?:d[0-9a-f]+)?z/.test(url);
}

/** Any placeholder at the very start of a URL: `{{unsubscribe_url}}` is the whole of its link. */
export function startsWithMergeTag(url: string): boolean {
  return new RegExp(`^nlmerge\\d+${SLOT_SOURCE}`).test(url);
}

/** Placeholders shown as the merge tags the writer typed, for messages. */
export function asMergeTags(text: string): string {
  return text.replace(new RegExp(`nlmerge\\d+${SLOT_SOURCE}`, 'g'), (_, code: string, hex?: string) =>
    code === 'unsub' ? '{{unsubscribe_url}}' : code === 'prefs' ? '{{preferences_url}}' : hex ? `{{subscriber.${code} default="${decodeDefault(hex)}"}}` : `{{subscriber.${code}}}`,
  );
}

export function slotOf(code: string): SlotName {
  return code === 'unsub' ? 'unsubscribe' : code === 'prefs' ? 'preferences' : (code as SlotName);
}

/** The values templates see: placeholders for subscriber data, the real URL for the web page. */
export function mergeContext(ph: Placeholders, webUrl: string) {
  // A function, so a template can write `{{subscriber.name default="friend"}}` as a body can: Handlebars calls it
  // with the hash.
  const name = (options?: { hash?: Record<string, unknown> }) => {
    const fallback = options?.hash?.default;
    if (fallback === undefined) return ph.name;
    const problem = defaultProblem(fallback);
    if (problem) throw new Error(`{{subscriber.name default=…}}: ${problem}`);
    return namePlaceholder(ph, fallback as string);
  };
  return {
    subscriber: { name, email: ph.email },
    unsubscribe_url: ph.unsubscribe,
    preferences_url: ph.preferences,
    web_url: webUrl,
  };
}

/** Unknown tags reported one by one; past this (a body full of stray braces), one diagnostic counts the rest. */
export const TAG_ERRORS_MAX = 100;

const TAG = /^\{\{\s*([^{}]*?)\s*\}\}/;
const NAME_WITH_DEFAULT = /^subscriber\.name\s+default\s*=\s*(?:"([^"]*)"|'([^']*)')$/;
const WITH_DEFAULT = /^([\w.]+)\s+default\s*=/;

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
    preferences_url: ph.preferences,
    web_url: webUrl,
  };
  const known = MERGE_TAGS.map((t) => `{{${t}}}`).join(', ');
  const diagnostics: Diagnostic[] = [];
  let out = '';
  let from = 0;
  let line = firstLine;
  let counted = 0;
  let close = -2;
  let unreported = 0;
  // Lines are counted forward from the last tag, so the whole scan stays linear.
  let newline = -2;
  const lineAt = (index: number) => {
    // The next line break is remembered too, so a long line with many tags is not searched again for each.
    if (newline === -2) newline = body.indexOf('\n');
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
    const withDefault = tag && !body.startsWith('{{{', at) ? NAME_WITH_DEFAULT.exec(name) : null;
    if (tag && withDefault) {
      const fallback = withDefault[1] ?? withDefault[2]!;
      const problem = defaultProblem(fallback);
      if (problem) diagnostics.push(diag(file, lineAt(at), 'error', 'merge-tags/default', `${tag[0]}: ${problem}`));
      out += problem ? '' : namePlaceholder(ph, fallback);
      from = at + tag[0].length;
      continue;
    }
    const other = tag ? WITH_DEFAULT.exec(name) : null;
    if (tag && other && Object.hasOwn(values, other[1]!)) {
      const message =
        other[1] === 'subscriber.name'
          ? 'the default must be in quotes: {{subscriber.name default="friend"}}'
          : 'only {{subscriber.name}} takes a default; the other tags always have a value';
      diagnostics.push(diag(file, lineAt(at), 'error', 'merge-tags/default', `${tag[0]}: ${message}`));
      from = at + tag[0].length;
      continue;
    }
    const shown = tag ? tag[0] : body.slice(at, at + 40).split('\n')[0];
    const message = body.startsWith('{{{', at)
      ? `triple braces are not allowed: subscriber data is always escaped; use ${known}`
      : `unknown merge tag ${shown}: use ${known}, or \\{{ for literal braces`;
    if (diagnostics.length < TAG_ERRORS_MAX) {
      diagnostics.push(diag(file, lineAt(at), 'error', body.startsWith('{{{', at) ? 'merge-tags/unescaped' : 'merge-tags/unknown', message));
    } else unreported++;
    // The next `}}` is remembered: searching the rest of the body again for each `{{` would be quadratic.
    if (close !== -1 && close < at) close = body.indexOf('}}', at);

    from = close === -1 ? at + 2 : close + (body[close + 2] === '}' ? 3 : 2);
    out += body.slice(at, from);
  }
  if (unreported > 0) {
    diagnostics.push(diag(file, lineAt(body.length), 'error', 'merge-tags/unknown', `${unreported.toLocaleString('en')} more unknown merge tags or braces after the first ${TAG_ERRORS_MAX}; write \\{{ for literal braces`));
  }
  return { markdown: out + body.slice(from), diagnostics };
}
