import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { CONTROL_CHARACTER } from '../core/control-characters.ts';

/**
 * Validation of one subscriber email address (issue 5; HOSTILE-INPUTS item 13).
 *
 * Pure: no I/O, no DNS. The accepted syntax is deliberately narrower than RFC 5322 — a bare
 * dot-atom `local@domain` — because everything wider (display names, comments, quoted local parts,
 * groups, lists, IP literals) is either a way to smuggle extra recipients or headers, or something
 * no real subscriber needs.
 */

export type AddressCheck = { ok: true; address: string; normalized: string } | { ok: false; reason: string };

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
const MAX_ADDRESS = 254;
/** RFC 5321 §4.5.3.1.1. */
const MAX_LOCAL_OCTETS = 64;
/** RFC 1035 §2.3.4. */
const MAX_LABEL = 63;

/** Invisible format characters (zero-width space, bidi overrides, soft hyphen, BOM, …): spoofing material. */
const FORMAT = /\p{Cf}/u;
/** A lone UTF-16 surrogate: not a character at all. */
const LONE_SURROGATE = /\p{Cs}/u;
const WHITESPACE = /\s/u;
/** An ASCII character of an RFC 5322 dot-atom (atext or a dot). */
const LOCAL_ASCII_OK = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]$/;
/** A non-ASCII letter, combining mark or digit (RFC 6531, SMTPUTF8); no symbols such as a fullwidth @. */
const LOCAL_NON_ASCII_OK = /^[\p{L}\p{M}\p{N}]$/u;
/** ASCII characters allowed in the domain as typed; non-ASCII is left to the IDNA conversion. */
const DOMAIN_ASCII_OK = /^[A-Za-z0-9.-]$/;
const LDH_LABEL = /^[a-z0-9-]+$/;
/** What a URL parser would read as part of an IPv4 address (decimal, octal or hex). */
const NUMERIC_LABEL = /^(\d+|0x[0-9a-f]*)$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

const fail = (reason: string): AddressCheck => ({ ok: false, reason });

export interface AddressRuleOptions {
  /**
   * Accept a domain without a dot (`you@localhost`): only for mail that never leaves the machine, such as the
   * preview's local inbox.
   */
  allowLocalDomain?: boolean;
}

/** One address, no display name, no CR or LF, no comments, at most 254 characters, a domain with a dot; internationalised domains accepted. */
export function checkAddress(input: string, options: AddressRuleOptions = {}): AddressCheck {
  if (typeof input !== 'string') return fail('is not text');

  // Checked on the raw input, before trimming: a trailing CRLF is header injection, not padding.
  if (CONTROL_CHARACTER.test(input)) return fail('contains a line break or control character');
  if (LONE_SURROGATE.test(input)) return fail('contains a broken (unpaired surrogate) character');
  if (FORMAT.test(input)) return fail('contains an invisible formatting character');

  const address = input.trim();
  if (address === '') return fail('is empty');
  // Counted in code points; checked early so that huge inputs cost nothing more.
  if (codePoints(address) > MAX_ADDRESS) return fail(`is longer than ${MAX_ADDRESS} characters`);

  // Syntax that belongs to headers rather than to one mailbox, most specific reason first.
  if (/[<>]/.test(address)) return fail('has a display name or angle brackets');
  if (address.includes('"')) {
    return fail(address.startsWith('"') || /"@[^@]*$/.test(address) ? 'quoted local parts are not accepted' : 'contains a quotation mark');
  }
  if (/[()]/.test(address)) return fail('has a comment in parentheses');
  if (/[,;]/.test(address)) {
    const pieces = address.split(/[,;]/).filter((p) => p.trim() !== '');
    return fail(pieces.length > 1 ? 'holds more than one address' : 'contains a comma or semicolon');
  }
  if (WHITESPACE.test(address)) {
    const withAt = address.split(/\s+/u).filter((p) => p.includes('@'));
    return fail(withAt.length > 1 ? 'holds more than one address' : 'contains whitespace');
  }
  if (address.includes(':')) return fail('contains a colon (group or route syntax is not accepted)');
  if (address.includes('\\')) return fail('contains a backslash');

  const at = address.split('@');
  if (at.length === 1) return fail('has no @');
  if (at.length > 2) return fail('has more than one @');
  const [local = '', domain = ''] = at;
  if (local === '') return fail('has nothing before the @');
  if (domain === '') return fail('has nothing after the @');

  const localProblem = checkLocal(local);
  if (localProblem !== undefined) return fail(localProblem);

  const ascii = cachedAsciiDomain(domain, options.allowLocalDomain === true);
  if (!ascii.ok) return fail(ascii.reason);

  // The limit applies to what goes on the wire: UTF-8 octets of the local part, the ASCII domain.
  if (Buffer.byteLength(local, 'utf8') + 1 + ascii.domain.length > MAX_ADDRESS) {
    return fail(`is longer than ${MAX_ADDRESS} characters once its domain is converted to ASCII`);
  }

  return { ok: true, address, normalized: `${local.normalize('NFC').toLowerCase()}@${ascii.domain}` };
}

/**
 * The address exactly as given passes the rule: nothing to trim. For values used as they are (configuration, command
 * arguments, form fields), where padding would otherwise reach a header.
 */
export function isPlainAddress(input: string, options: AddressRuleOptions = {}): boolean {
  const check = checkAddress(input, options);
  return check.ok && check.address === input;
}

function checkLocal(local: string): string | undefined {
  if (local.startsWith('-')) return 'starts with a hyphen';
  if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL_OCTETS) return `has more than ${MAX_LOCAL_OCTETS} bytes before the @`;
  if (local.startsWith('.') || local.endsWith('.')) return 'has a dot at the start or end of the part before the @';
  if (local.includes('..')) return 'has two dots in a row before the @';
  for (const ch of local) {
    const ok = ch.charCodeAt(0) < 0x80 ? LOCAL_ASCII_OK.test(ch) : LOCAL_NON_ASCII_OK.test(ch);
    if (!ok) return `has a character that is not allowed before the @ (${JSON.stringify(ch)})`;
  }
  return undefined;
}

type DomainCheck = { ok: true; domain: string } | { ok: false; reason: string };

/**
 * The domains checked lately and what they came to. A list's addresses share few domains, and the domain's check
 * (a pass over its characters and the UTS #46 conversion) was most of the rule's cost: a send checks each address
 * twice (header and envelope), about 10 µs a message. Bounded, so hostile input cannot grow it.
 */
const recentDomains = new Map<string, DomainCheck>();
const RECENT_DOMAINS = 1000;

function cachedAsciiDomain(domain: string, allowLocal: boolean): DomainCheck {
  const key = `${allowLocal ? 'l' : 'p'}${domain}`;
  let check = recentDomains.get(key);
  if (check === undefined) {
    check = toAsciiDomain(domain, allowLocal);
    if (recentDomains.size >= RECENT_DOMAINS) recentDomains.clear();
    recentDomains.set(key, check);
  }
  return check;
}

function toAsciiDomain(domain: string, allowLocal: boolean): DomainCheck {
  const no = (reason: string) => ({ ok: false as const, reason });
  if (domain.startsWith('[') || domain.endsWith(']')) return no('has an IP address instead of a domain name');
  if (domain.includes('[') || domain.includes(']')) return no('has a square bracket in its domain');
  for (const ch of domain) {
    if (ch.charCodeAt(0) < 0x80 && !DOMAIN_ASCII_OK.test(ch)) {
      return no(`has a character that is not allowed in its domain (${JSON.stringify(ch)})`);
    }
  }
  const typedLabels = domain.split('.');
  if (typedLabels.every((label) => NUMERIC_LABEL.test(label))) return no('has an IP address instead of a domain name');
  if (/^\d+$/.test(typedLabels[typedLabels.length - 1] ?? '')) return no('has a top-level domain made only of digits');
  // WHATWG URL / UTS #46 processing: maps case and compatibility forms, encodes IDN labels as
  // punycode, and returns '' for anything that cannot be a host name (including bad xn-- labels).
  const ascii = domainToASCII(domain);
  if (ascii === '') return no('has a domain that is not a valid domain name');
  if (IPV4.test(ascii)) return no('has an IP address instead of a domain name');
  const labels = ascii.split('.');
  if (labels.length < 2 && !allowLocal) return no('has no dot in its domain');
  for (const label of labels) {
    if (label === '') return no('has an empty label in its domain (a leading, trailing or doubled dot)');
    if (label.length > MAX_LABEL) return no(`has a domain label longer than ${MAX_LABEL} characters`);
    if (label.startsWith('-') || label.endsWith('-')) return no('has a domain label that starts or ends with a hyphen');
    if (!LDH_LABEL.test(label)) return no('has a character that is not allowed in its domain');
  }
  return { ok: true, domain: ascii };
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * The rule as a zod schema, for configuration: the value as written must pass (nothing trimmed) and is kept as it
 * is, so what the author wrote is what goes into headers.
 */
export function emailAddress(message: string, options: AddressRuleOptions = {}): z.ZodString {
  return z.string({ error: 'an email address' }).refine((value) => isPlainAddress(value, options), message);
}
