import type MarkdownIt from 'markdown-it';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';
import type { Delimiter } from 'markdown-it/lib/rules_inline/state_inline.mjs';

const TILDE = 0x7e;

/**
 * GFM strikethrough (GFM spec 0.29-gfm, the strikethrough extension, as cmark-gfm does it): one or two tildes on
 * each side strike the text between, written `<del>`; opener and closer must be the same length; a run of three or
 * more tildes is only text. markdown-it's own rule follows an older draft (only `~~`, written `<s>`, and `~~~x~~~`
 * struck), and no well-kept markdown-it plugin follows GFM, so this replaces it, and markdown-it's delimiter pairing
 * (`balance_pairs`, 14.1.0) with a copy that pairs tildes as cmark-gfm does (see balancePairs). `ruler.at` throws
 * if markdown-it ever renames these rules, so a change there fails loudly, at start-up.
 */
export function gfmStrikethrough(md: MarkdownIt): void {
  md.inline.ruler.at('strikethrough', tokenize);
  md.inline.ruler2.at('balance_pairs', (state) => {
    balancePairs(state.delimiters);
    for (const meta of state.tokens_meta) if (meta?.delimiters) balancePairs(meta.delimiters);
    return false;
  });
  md.inline.ruler2.at('strikethrough', (state) => {
    pair(state, state.delimiters);
    for (const meta of state.tokens_meta) if (meta?.delimiters) pair(state, meta.delimiters);
    return false;
  });
}

/** A run of tildes becomes one text token; a run of one or two that can open or close is also a delimiter. */
function tokenize(state: StateInline, silent: boolean): boolean {
  if (silent || state.src.charCodeAt(state.pos) !== TILDE) return false;
  const scanned = state.scanDelims(state.pos, true);
  const token = state.push('text', '', 0);
  token.content = '~'.repeat(scanned.length);
  if (scanned.length <= 2 && (scanned.can_open || scanned.can_close)) {
    state.delimiters.push({
      marker: TILDE,
      length: scanned.length,
      token: state.tokens.length - 1,
      end: -1,
      open: scanned.can_open,
      close: scanned.can_close,
    });
  }
  state.pos += scanned.length;
  return true;
}

/** Paired runs of the same length become `<del>`; a pair of different lengths (`~x~~`) stays text, as in GFM. */
function pair(state: StateInline, delimiters: readonly Delimiter[]): void {
  for (const start of delimiters) {
    if (start.marker !== TILDE || start.end === -1) continue;
    const open = state.tokens[start.token]!;
    const close = state.tokens[delimiters[start.end]!.token]!;
    if (open.content !== close.content) continue;
    for (const [token, nesting] of [[open, 1], [close, -1]] as const) {
      token.type = nesting === 1 ? 'del_open' : 'del_close';
      token.tag = 'del';
      token.nesting = nesting;
      token.markup = token.content;
      token.content = '';
    }
  }
}

/**
 * markdown-it 14.1.0's `processDelimiters` (rules_inline/balance_pairs.mjs: CommonMark's "process emphasis", linear
 * thanks to its `jumps` and `openersBottom`), with one change for tildes, from cmark-gfm: when a closer's nearest
 * opener has another length (`~a~~`), the closer is passed over and the opener stays open for a later closer, so
 * `~x~~y~` strikes `x~~y`. Other markers are paired exactly as markdown-it pairs them.
 */
function balancePairs(delimiters: Delimiter[]): void {
  const openersBottom = new Map<number, number[]>();
  const max = delimiters.length;
  if (!max) return;
  // headerIdx is the first delimiter of the run the closer is in.
  let headerIdx = 0;
  let lastTokenIdx = -2;
  const jumps: number[] = [];
  for (let closerIdx = 0; closerIdx < max; closerIdx++) {
    const closer = delimiters[closerIdx]!;
    jumps.push(0);
    if (delimiters[headerIdx]!.marker !== closer.marker || lastTokenIdx !== closer.token - 1) headerIdx = closerIdx;
    lastTokenIdx = closer.token;
    closer.length = closer.length || 0;
    if (!closer.close) continue;
    let bottoms = openersBottom.get(closer.marker);
    if (!bottoms) openersBottom.set(closer.marker, (bottoms = [-1, -1, -1, -1, -1, -1]));
    const minOpenerIdx = bottoms[(closer.open ? 3 : 0) + (closer.length % 3)]!;
    let openerIdx = headerIdx - jumps[headerIdx]! - 1;
    let newMinOpenerIdx = openerIdx;
    for (; openerIdx > minOpenerIdx; openerIdx -= jumps[openerIdx]! + 1) {
      const opener = delimiters[openerIdx]!;
      if (opener.marker !== closer.marker) continue;
      if (!opener.open || opener.end >= 0) continue;
      // CommonMark's rule of 3.
      const oddMatch =
        (opener.close || closer.open) && (opener.length + closer.length) % 3 === 0 && (opener.length % 3 !== 0 || closer.length % 3 !== 0);
      if (oddMatch) continue;
      if (closer.marker === TILDE && opener.length !== closer.length) {
        // The one change: an opener was found, so no lower bound is set, and nothing is paired.
        newMinOpenerIdx = -1;
        break;
      }
      const lastJump = openerIdx > 0 && !delimiters[openerIdx - 1]!.open ? jumps[openerIdx - 1]! + 1 : 0;
      jumps[closerIdx] = closerIdx - openerIdx + lastJump;
      jumps[openerIdx] = lastJump;
      closer.open = false;
      opener.end = closerIdx;
      opener.close = false;
      newMinOpenerIdx = -1;
      lastTokenIdx = -2;
      break;
    }
    if (newMinOpenerIdx !== -1) bottoms[(closer.open ? 3 : 0) + (closer.length % 3)] = newMinOpenerIdx;
  }
}
