import Handlebars from 'handlebars';
import { diag, type Diagnostic } from '../core/diagnostic.ts';

/** The per-subscriber fields a body or template may use. `web_url` is per issue and rendered directly. */
export const MERGE_TAGS = ['subscriber.name', 'subscriber.email', 'unsubscribe_url', 'web_url'] as const;

export type SlotName = 'name' | 'email' | 'unsubscribe';

/**
 * Placeholders stand in for per-subscriber values through Markdown, sanitising, MJML and html-to-text: plain letters
 * and digits, which none of them rewrite. The nonce keeps them from matching anything the writer typed.
 */
export interface Placeholders {
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
  const p = `nlmerge${n}`;
  return {
    name: `${p}namez`,
    email: `${p}emailz`,
    unsubscribe: `${p}unsubz`,
    pattern: new RegExp(`${p}(name|email|unsub)z`, 'g'),
  };
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

type HbsNode = { type: string; loc?: { start: { line: number } } };
type HbsMustache = HbsNode & {
  path: { type: string; original: string };
  params: unknown[];
  hash?: unknown;
  escaped: boolean;
};

function parseErrorLine(error: Error): number {
  const m = /line (\d+)/.exec(error.message);
  return m ? Number(m[1]) : 1;
}

/**
 * Expands merge tags in a Markdown body: the four known tags become placeholders (or the web URL); `\{{` stays as
 * literal braces; anything else (unknown names, helpers, blocks, partials, triple braces) is an error with its line.
 */
export function expandBodyTags(
  body: string,
  file: string,
  firstLine: number,
  ph: Placeholders,
  webUrl: string,
): { markdown: string; diagnostics: Diagnostic[] } {
  if (!body.includes('{{')) return { markdown: body, diagnostics: [] };
  const at = (line: number) => firstLine + line - 1;
  let program: { body: HbsNode[] };
  try {
    program = Handlebars.parse(body) as unknown as { body: HbsNode[] };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    return {
      markdown: body,
      diagnostics: [
        diag(file, at(parseErrorLine(error as Error)), 'error', 'merge-tags/syntax', `${message} (write \\{{ for literal braces)`),
      ],
    };
  }
  const values: Record<string, string> = {
    'subscriber.name': ph.name,
    'subscriber.email': ph.email,
    unsubscribe_url: ph.unsubscribe,
    web_url: webUrl,
  };
  const known = MERGE_TAGS.map((t) => `{{${t}}}`).join(', ');
  const diagnostics: Diagnostic[] = [];
  let out = '';
  for (const node of program.body) {
    const line = at(node.loc?.start.line ?? 1);
    if (node.type === 'ContentStatement') {
      out += (node as unknown as { value: string }).value;
    } else if (node.type === 'CommentStatement') {
      // {{! notes to self }} are dropped from the email.
    } else if (node.type === 'MustacheStatement') {
      const m = node as HbsMustache;
      const name = m.path.type === 'PathExpression' ? m.path.original : '';
      if (!Object.hasOwn(values, name) || m.params.length > 0 || m.hash) {
        diagnostics.push(
          diag(file, line, 'error', 'merge-tags/unknown', `unknown merge tag {{${name || '…'}}}: use ${known}, or \\{{ for literal braces`),
        );
      } else if (!m.escaped) {
        diagnostics.push(
          diag(file, line, 'error', 'merge-tags/unescaped', `{{{${name}}}} is not allowed: subscriber data is always escaped; use {{${name}}}`),
        );
      } else {
        out += values[name];
      }
    } else {
      diagnostics.push(
        diag(file, line, 'error', 'merge-tags/unknown', `only merge tags (${known}) may be used in an issue, not blocks, helpers or partials`),
      );
    }
  }
  return { markdown: out, diagnostics };
}
