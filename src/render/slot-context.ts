/**
 * Where a slot sits: in running text, inside a URL after its start (`…?who={{subscriber.name}}`), or as the address
 * of a `mailto:` link, where `@` stays as it is.
 */
export type Context = 'text' | 'url' | 'address';

/**
 * The context of each placeholder in a document, asked for positions in increasing order. Every question is answered
 * from state carried forward from the previous one, so a document with many slots is read once in all, not once per
 * slot (issue 12, finding 8: looking back from each slot made 200,000 merge tags take 87 s).
 */
export type ContextReader = (at: number) => Context;

/** The last start of `pattern` (global) before each position asked, positions asked in increasing order. */
function lastBefore(source: string, pattern: RegExp): (at: number) => number {
  const find = (from: number) => {
    pattern.lastIndex = from;
    return pattern.exec(source)?.index ?? -1;
  };
  let last = -1;
  let next = find(0);
  return (at) => {
    while (next !== -1 && next < at) {
      last = next;
      next = find(next + 1);
    }
    return last;
  };
}

const URL_ATTRIBUTE = /(?:^|\s)(href|src|action|cite)$/i;

/** In the HTML: inside a quoted URL attribute (`href`, `src`, `action`, `cite`), after at least one character of it. */
export function htmlContexts(source: string): ContextReader {
  const openBefore = lastBefore(source, /="/g);
  let open = -1;
  let close = -1;
  return (at) => {
    const latest = openBefore(at);
    if (latest === -1) return 'text';
    if (latest !== open) {
      // Attribute values hold no raw `"`, so the searches for closing quotes never overlap.
      open = latest;
      close = source.indexOf('"', open + 2);
    }
    if (close < at) return 'text';
    if (!URL_ATTRIBUTE.test(source.slice(Math.max(0, open - 8), open)) || open + 2 === at) return 'text';
    return at - (open + 2) === 7 && source.slice(open + 2, at).toLowerCase() === 'mailto:' ? 'address' : 'url';
  };
}

/**
 * In the plain text: within a whitespace-free run that is a URL (`https://…`, `mailto:…`, or a query value such as
 * the `addr@example.org?subject=` html-to-text writes for a mailto link), after its start.
 */
export function textContexts(source: string): ContextReader {
  const spaceBefore = lastBefore(source, /\s/g);
  // A query value's name: the run of [\w.-] before the `=`, and what stands before that run.
  const nonNameBefore = lastBefore(source, /[^\w.-]/g);
  let scheme = -2;
  return (at) => {
    const start = spaceBefore(at) + 1;
    if (start === at) return 'text';
    const head = source.slice(start, start + 7).toLowerCase();
    if (at - start === 7 && head === 'mailto:') return 'address';
    // The first `://` at or after the run's start; still the first one for any later start below it.
    if (scheme !== -1 && scheme < start) scheme = source.indexOf('://', start);
    if (scheme !== -1 && scheme + 3 <= at) return 'url';
    if (head === 'mailto:') return 'url';
    if (source[at - 1] === '=') {
      const before = nonNameBefore(at - 1);
      if (before >= start && (source[before] === '?' || source[before] === '&')) return 'url';
    }
    return 'text';
  };
}
