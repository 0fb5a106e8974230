/**
 * DKIM's relaxed body canonicalisation (RFC 6376 §3.4.4): no space or tab at line ends, other runs of them as one
 * space, no empty lines at the end. Two forms: for a whole body, and for one chunk of a body built from chunks.
 */

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

/**
 * A whole body (latin1 text, CRLF line ends). Only what needs changing is matched (a tab, two in a row, a run before
 * a line end), so a clean body is not copied: returned as the same string, the caller can hash the message's bytes.
 */
export function relaxedBody(body: string): string {
  let lines = body;
  if (lines.includes(' \r\n') || lines.includes('\t\r\n')) lines = lines.replace(/[ \t]+\r\n/g, '\r\n');
  if (lines.includes('\t') || lines.includes('  ')) lines = lines.replace(/\t[ \t]*| [ \t]+/g, ' ');
  let end = lines.length;
  while (end >= 2 && lines.charCodeAt(end - 2) === 13 && lines.charCodeAt(end - 1) === 10) end -= 2;
  if (lines === body && end > 0 && end === body.length - 2) return body;
  return end === 0 ? '' : `${lines.slice(0, end)}\r\n`;
}

/**
 * True when a chunk canonicalises the same on its own as inside any body: it does not end in a space or tab (whose
 * fate depends on what follows: dropped before a line end, merged with a run) or in a CR (half a line end).
 * Empty lines at the end are the body's last chunk's business, so a chunk of the body's middle may end in CRLF.
 */
export function standsAlone(chunk: Uint8Array): boolean {
  const last = chunk[chunk.length - 1];
  return last !== SP && last !== TAB && last !== CR;
}

/**
 * One chunk canonicalised (the empty lines at the end of the body aside): valid wherever the chunk sits when
 * {@link standsAlone} holds for it and for the chunk before it. The same buffer when nothing changes.
 */
export function relaxedChunk(chunk: Buffer): Buffer {
  if (chunk.indexOf('\t') === -1 && chunk.indexOf('  ') === -1 && chunk.indexOf(' \r\n') === -1) return chunk;
  const out = Buffer.allocUnsafe(chunk.length);
  let n = 0;
  for (let i = 0; i < chunk.length; ) {
    const c = chunk[i]!;
    if (c !== SP && c !== TAB) {
      out[n++] = c;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < chunk.length && (chunk[j] === SP || chunk[j] === TAB)) j++;
    // A run before a line end goes; any other run is one space (a run at the chunk's end is ruled out by standsAlone).
    if (!(chunk[j] === CR && chunk[j + 1] === LF)) out[n++] = SP;
    i = j;
  }
  return out.subarray(0, n);
}
