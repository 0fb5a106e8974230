import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import type { Recipient, RecipientTemplate } from '../../render/personalise.ts';
import { relaxedChunk, standsAlone } from '../dkim/relaxed-body.ts';

/** Longest line of a quoted-printable body, `=` of a soft break included (RFC 2045 §6.7). */
const QP_LINE = 76;
/** Runs are wrapped one shorter, so a soft break always fits after the last line of one. */
const RUN_LINE = QP_LINE - 1;
const SOFT_BREAK = Buffer.from('=\r\n', 'latin1');

/**
 * A run of quoted-printable text that is joined to others: its bytes, the length of its first line (a soft break's
 * `=` included) and whether that line ends in a break, and the length of its last line.
 */
interface Run {
  bytes: Buffer;
  first: number;
  broken: boolean;
  last: number;
  /** Its DKIM relaxed form, made the first time a signed message needs it; null when it cannot stand alone. */
  relaxed?: Buffer | null;
}

/** A run's bytes as DKIM's relaxed body canonicalisation leaves them, null when that depends on its neighbours. */
function relaxedRun(run: Run): Buffer | null {
  if (run.relaxed === undefined) run.relaxed = standsAlone(run.bytes) ? relaxedChunk(run.bytes) : null;
  return run.relaxed;
}

function run(qp: string): Run {
  // Every dot as =2E: then no line can start with one, wherever a wrap or a join falls, and SMTP's dot-stuffing has
  // nothing to change, so the transport's fast path takes every message (src/send/transport/dot-stuffing.ts). About 3% more
  // bytes on the wire, for about a tenth of the CPU a message costs.
  const encoded = qp.includes('.') ? qp.replace(/\./g, '=2E') : qp;
  const wrapped = encoded.length <= RUN_LINE ? encoded : qpWrap(encoded, RUN_LINE);
  const firstBreak = wrapped.indexOf('\r\n');
  return {
    bytes: Buffer.from(wrapped, 'latin1'),
    first: firstBreak === -1 ? wrapped.length : firstBreak,
    broken: firstBreak !== -1,
    last: firstBreak === -1 ? wrapped.length : wrapped.length - wrapped.lastIndexOf('\r\n') - 2,
  };
}

/** Static text with every line end as CRLF, the only line break a text body has on the wire. */
function crlf(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  return /\r(?!\n)|(?<!\r)\n/.test(text) ? Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'latin1') : bytes;
}

/**
 * A subscriber's value, quoted-printable. Its CR and LF are data, not line breaks, so they are encoded (`=0D`,
 * `=0A`): a value never adds a line of its own, and decodes to exactly the bytes render() inserts.
 */
function encodeValue(value: string): string {
  const encoded = qpEncode(value);
  return encoded.includes('\r') || encoded.includes('\n') ? encoded.replace(/\r/g, '=0D').replace(/\n/g, '=0A') : encoded;
}

/**
 * Joins runs into lines of at most 76 characters: a soft break goes in at a join only where the next run's first
 * line would not fit after the current line. Every run is complete on its own (no `=XX` or trailing space is split
 * across a join), so the decoded text is exactly the runs' decoded texts, in order.
 */
class Joiner {
  length = 0;
  private column = 0;

  /** `relaxed`, when given, gets each chunk's DKIM relaxed form beside it, or null for one that has none. */
  constructor(
    private readonly out: Buffer[],
    private readonly relaxed: (Buffer | null)[] | null,
  ) {}

  add(next: Run): void {
    if (next.bytes.length === 0) return;
    if (this.column > 0 && this.column + next.first > (next.broken ? QP_LINE : RUN_LINE)) {
      this.out.push(SOFT_BREAK);
      this.relaxed?.push(SOFT_BREAK);
      this.length += SOFT_BREAK.length;
      this.column = 0;
    }
    this.out.push(next.bytes);
    this.relaxed?.push(relaxedRun(next));
    this.length += next.bytes.length;
    this.column = next.broken ? next.last : this.column + next.first;
  }
}

/** One body part (text or HTML) as quoted-printable: the static runs encoded once, the values per subscriber. */
export class EncodedPart {
  private readonly runs: Run[];

  constructor(private readonly pieces: ReturnType<RecipientTemplate['pieces']>) {
    this.runs = pieces.parts.map((part) => run(qpEncode(crlf(part))));
  }

  /** True when the part holds no subscriber value: the same bytes in every message. */
  get constant(): boolean {
    return this.runs.length === 1;
  }

  /** How many chunks `fill` pushes before the first subscriber value: the first static run, unless it is empty. */
  get leadingChunks(): number {
    return this.runs[0]!.bytes.length > 0 ? 1 : 0;
  }

  /** The static runs' bytes, for the boundary's hash. */
  get statics(): readonly Buffer[] {
    return this.runs.map((r) => r.bytes);
  }

  /**
   * Pushes the part's chunks for a recipient onto `out`, and their DKIM relaxed forms onto `relaxed` when given;
   * returns how many bytes the chunks hold.
   */
  fill(recipient: Recipient, out: Buffer[], relaxed: (Buffer | null)[] | null = null): number {
    const join = new Joiner(out, relaxed);
    const values = this.runs.length > 1 ? this.pieces.values(recipient) : [];
    // The same value often fills several slots (the name in the greeting and the preheader): encoded once.
    const encoded = new Map<string, Run>();
    for (let i = 0; i < values.length; i++) {
      join.add(this.runs[i]!);
      const value = values[i]!;
      let valueRun = encoded.get(value);
      if (!valueRun) encoded.set(value, (valueRun = run(encodeValue(value))));
      join.add(valueRun);
    }
    join.add(this.runs[this.runs.length - 1]!);
    return join.length;
  }
}

/**
 * The message for one issue, compiled once: headers and quoted-printable bodies precomputed, so a subscriber's
 * message is a join of those bytes with a few small encoded values (the To header, the Message-ID, the unsubscribe
 * URL and the slots of the text and HTML). The bytes are an RFC 5322 message with CRLF line ends, not dot-stuffed:
 * multipart/alternative with the text, then the HTML, both UTF-8 and quoted-printable, and the headers bulk mail
 * needs: Reply-To, List-Id, and one-click unsubscribe (RFC 8058: `List-Unsubscribe` with an https URL on one
 * unfolded line, and `List-Unsubscribe-Post`).
 */
