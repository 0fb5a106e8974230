/**
 * A message read by mailparser, as returned mail needs it: header fields, addresses, and the parts that are not text
 * (reports, the original message or its header). mailparser does the header parsing, the MIME structure and the
 * transfer and charset decoding, and has been hardened against hostile mail; its limits bound what one message can
 * cost. A message it refuses is an answer here, never an exception.
 */
import { parseAddressHeader, simpleParser, type HeaderValue, type SimpleParserOptions } from 'mailparser';

const OPTIONS: SimpleParserOptions = {
  // Every report and original message is an attachment, in order: a delivery-status part is not mixed into the text,
  // and an embedded message stays the bytes it came as, whatever its disposition (its header is read by parseMail).
  keepDeliveryStatus: true,
  ignoreEmbedded: true,
  // Nothing is displayed, so nothing is converted, linked, inlined or hashed (and HTML is never parsed, so
  // maxHtmlLengthToParse has nothing to bound).
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
  // The bounds on what one message costs: a part whose header block is over 1 MiB (mailparser's default), or more
  // than 100 parts, and the message is refused. A report has three or four parts and a reader's mail a few more; the
  // part limit also bounds nesting, for which the splitter checks each line against every open boundary.
  maxHeadSize: 2 ** 20,
  maxChildNodes: 100,
};

/** Parts nested deeper than this are not read (a report is one or two levels down), as before mailparser. */
const MAX_DEPTH = 9;

/** The most entries read from one address field: more than any report or request names. */
const MAX_ADDRESSES = 100;

export interface Part {
  /** The declared Content-Type, lower case; `text/plain` when the part declares none. */
  type: string;
  /** The body, transfer-decoded. */
  content: Buffer;
}

export interface ParsedMail {
  /** The first value of a header field, decoded; `''` when the field is there but empty; null when it is absent. */
  header(name: string): string | null;
  /** The addresses among the first hundred entries of the first field of that name, domains as written. */
  addresses(name: string): string[];
  /** The leaf parts that are not text, in order. */
  parts: Part[];
}

/** Header lines arrive as bytes in a binary string; a value that is valid UTF-8 is read as UTF-8, as mailparser does. */
function utf8(binary: string): string {
  const text = Buffer.from(binary, 'latin1').toString('utf8');
  return text.includes('\uFFFD') ? binary : text;
}

function declaredType(value: HeaderValue | undefined): string {
  const type = value && typeof value === 'object' && 'value' in value && typeof value.value === 'string' ? value.value : '';
  return type.trim().toLowerCase() || 'text/plain';
}

const depth = (partId: string | null) => (partId === null ? 0 : partId.split('.').length);

export async function parseMail(raw: string | Buffer): Promise<{ ok: true; mail: ParsedMail } | { ok: false; reason: string }> {
  let parsed;
  try {
    parsed = await simpleParser(raw, OPTIONS);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  // Empty input has no header at all.
  const headers = parsed.headers ?? new Map<string, HeaderValue>();
  const lines = parsed.headerLines ?? [];
  return {
    ok: true,
    mail: {
      header(name) {
        if (!lines.some((l) => l.key === name)) return null;
        const value = headers.get(name);
        const first = Array.isArray(value) ? value[0] : value;
        return typeof first === 'string' ? first : '';
      },
      addresses(name) {
        // Not mailparser's own To and From: they have punycode domains turned into Unicode, and an address here is
        // compared with sending.unsubscribe_mailto, looked up and printed as the message wrote it.
        const line = lines.find((l) => l.key === name)?.line;
        if (line === undefined) return [];
        const text = utf8(line);
        return parseAddressHeader(text.slice(text.indexOf(':') + 1), { flatten: true, decodePunycode: false })
          .value.slice(0, MAX_ADDRESSES)
          .map((a) => a.address ?? '')
          .filter((a) => a.includes('@'));
      },
      parts: parsed.attachments
        .filter((a) => depth(a.partId) <= MAX_DEPTH)
        .map((a) => ({ type: declaredType(a.headers.get('content-type')), content: a.content })),
    },
  };
}
