import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { diag, type Diagnostic } from '../core/diagnostic.ts';

/**
 * Email-client compatibility diagnostics from the offline caniemail data.
 *
 * The data (~640 KB of JSON) is read and indexed lazily, once per process, on the first call that
 * needs it; importing this module does no I/O.
 */

export interface Feature {
  kind: 'element' | 'property' | 'at-rule';
  name: string;
  line: number;
}

/** Target clients: Gmail, Apple Mail, Outlook, Yahoo. */
export const TARGET_CLIENTS: readonly { family: string; platform: string; label: string }[] = Object.freeze([
  { family: 'gmail', platform: 'desktop-webmail', label: 'Gmail (desktop webmail)' },
  { family: 'gmail', platform: 'ios', label: 'Gmail (iOS)' },
  { family: 'gmail', platform: 'android', label: 'Gmail (Android)' },
  { family: 'gmail', platform: 'mobile-webmail', label: 'Gmail (mobile webmail)' },
  { family: 'apple-mail', platform: 'macos', label: 'Apple Mail (macOS)' },
  { family: 'apple-mail', platform: 'ios', label: 'Apple Mail (iOS)' },
  { family: 'outlook', platform: 'windows', label: 'Outlook (Windows)' },
  { family: 'outlook', platform: 'windows-mail', label: 'Outlook (Windows Mail)' },
  { family: 'outlook', platform: 'macos', label: 'Outlook (macOS)' },
  { family: 'outlook', platform: 'outlook-com', label: 'Outlook.com' },
  { family: 'outlook', platform: 'ios', label: 'Outlook (iOS)' },
  { family: 'outlook', platform: 'android', label: 'Outlook (Android)' },
  { family: 'yahoo', platform: 'desktop-webmail', label: 'Yahoo Mail (desktop webmail)' },
  { family: 'yahoo', platform: 'ios', label: 'Yahoo Mail (iOS)' },
  { family: 'yahoo', platform: 'android', label: 'Yahoo Mail (Android)' },
].map((c) => Object.freeze(c)));

// ---------------------------------------------------------------------------------------------
// Data: loaded and indexed once, lazily.

/** version → verdict ("y", "n", "a #1", "u", ...), in the file's order (oldest first). */
type VersionVerdicts = Record<string, string>;

interface CaniemailFeature {
  slug: string;
  stats?: Record<string, Record<string, VersionVerdicts> | undefined>;
}

interface CaniemailData {
  data: CaniemailFeature[];
}

/** slug → labels of the target clients whose latest tested version does not support it ("n"). */
let unsupportedBySlug: Map<string, readonly string[]> | undefined;

function index(): Map<string, readonly string[]> {
  if (unsupportedBySlug !== undefined) return unsupportedBySlug;
  const path = createRequire(import.meta.url).resolve('caniemail/caniemail.json');
  const text = readFileSync(path, 'utf8');
  // JSON.parse puts integer-like keys ("2003", "15") before all other keys, whatever their order in
  // the file, which would make e.g. Apple Mail iOS {"11.4","12",…,"15"} end on "11.4". Prefixing
  // purely numeric keys keeps the file's (chronological) order; only the last key's value is used.
  const parsed = JSON.parse(text.replace(/(?<=[{,]\s*)"(\d+)"(?=\s*:)/g, '"v$1"')) as CaniemailData;
  const map = new Map<string, readonly string[]>();
  for (const feature of parsed.data) {
    const lacking: string[] = [];
    for (const client of TARGET_CLIENTS) {
      const versions = feature.stats?.[client.family]?.[client.platform];
      if (versions === undefined) continue;
      const keys = Object.keys(versions);
      const latest = keys.length === 0 ? undefined : versions[keys[keys.length - 1]!];
      if (typeof latest === 'string' && latest.trim().charAt(0).toLowerCase() === 'n') lacking.push(client.label);
    }
    map.set(feature.slug, Object.freeze(lacking));
  }
  unsupportedBySlug = map;
  return map;
}

// ---------------------------------------------------------------------------------------------
// Feature name → caniemail slug.

const LIST_ELEMENTS = new Set(['ul', 'ol', 'li', 'dl', 'dt', 'dd']);
/** The elements caniemail's `html-semantics` feature covers. */
const SEMANTIC_ELEMENTS = new Set([
  'article', 'aside', 'details', 'figcaption', 'figure', 'footer', 'header', 'main', 'mark', 'nav', 'section', 'summary', 'time',
]);

function elementSlug(tag: string): string {
  if (/^h[1-6]$/.test(tag)) return 'html-h1-h6';
  if (LIST_ELEMENTS.has(tag)) return 'html-lists';
  if (SEMANTIC_ELEMENTS.has(tag)) return 'html-semantics';
  return `html-${tag}`;
}

/** Candidate slugs for a (lower-cased, unprefixed) property, most specific first. */
function propertySlugs(p: string): string[] {
  if (p.startsWith('--')) return ['css-variables'];
  if (p === 'left' || p === 'right' || p === 'top' || p === 'bottom') return ['css-left-right-top-bottom'];
  // Logical properties have their own features (see the features' keywords in the data).
  if (/^border-(?:start|end)-(?:start|end)-radius$/.test(p)) return ['css-border-radius-logical'];
  if (/^border-(?:inline|block)$/.test(p)) return ['css-border-inline-block'];
  if (/^border-(?:inline|block)-(?:start|end)-(?:color|style|width)$/.test(p)) return ['css-border-inline-block-longhand'];
  if (/^border-(?:inline|block)-(?:start|end|color|style|width)$/.test(p)) return ['css-border-inline-block-individual'];
  const logical = /^(margin|padding)-(inline|block)(-start|-end)?$/.exec(p);
  if (logical) return [logical[3] === undefined ? `css-${logical[1]}-inline-block` : `css-${logical[1]}-${logical[2]}-start-end`];
  // Corner radii are border-radius longhands, not border ones.
  if (/^border-(?:top|bottom)-(?:left|right)-radius$/.test(p)) return ['css-border-radius'];
  if (/^border-(?:left|right|top|bottom)(?:-.*)?$/.test(p) || /^border-(?:.+-)?(?:color|style|width)$/.test(p)) return ['css-border'];
  if (p.startsWith('margin-')) return ['css-margin'];
  if (p.startsWith('padding-')) return ['css-padding'];
  if (p.startsWith('background-')) return [`css-${p}`, 'css-background'];
  return [`css-${p}`];
}

function stripVendorPrefix(name: string): string {
  return name.startsWith('--') ? name : name.replace(/^-[a-z]+-/, '');
}

function resolveSlug(kind: Feature['kind'], name: string, known: Map<string, readonly string[]>): string | undefined {
  const n = name.trim().toLowerCase();
  let candidates: string[];
  if (kind === 'element') candidates = [elementSlug(n)];
  else if (kind === 'property') candidates = propertySlugs(stripVendorPrefix(n));
  else candidates = [`css-at-${stripVendorPrefix(n.replace(/^@/, ''))}`];
  return candidates.find((slug) => known.has(slug));
}

/** `kind\0name` → labels of the target clients lacking it (empty when supported or unknown). */
const lackingByName = new Map<string, readonly string[]>();
const NONE: readonly string[] = Object.freeze([]);

function lackingFor(kind: Feature['kind'], name: string): readonly string[] {
  const key = `${kind}\0${name}`;
  let lacking = lackingByName.get(key);
  if (lacking === undefined) {
    const known = index();
    const slug = resolveSlug(kind, name, known);
    lacking = slug === undefined ? NONE : (known.get(slug) ?? NONE);
    lackingByName.set(key, lacking);
  }
  return lacking;
}

function describe(f: Feature): string {
  const n = f.name.trim().toLowerCase();
  if (f.kind === 'element') return `HTML <${n}>`;
  if (f.kind === 'at-rule') return `CSS "${n.startsWith('@') ? n : `@${n}`}"`;
  return `CSS "${n}"`;
}

/** Diagnostics for features unsupported ("n" in the latest tested version) by any target client. One diagnostic per (feature, line), severity 'warning', message like: `<blockquote>`... e.g. `CSS "border-radius" is not supported by Outlook (Windows), Outlook (Windows Mail)` — name the feature and every client lacking it. Features unknown to caniemail produce nothing. */
export function compatDiagnostics(file: string, features: readonly Feature[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const f of features) {
    const lacking = lackingFor(f.kind, f.name);
    if (lacking.length === 0) continue;
    const key = `${f.kind}\0${f.name.trim().toLowerCase()}\0${f.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rule = f.kind === 'element' ? 'compat/html' : 'compat/css';
    out.push(diag(file, f.line, 'warning', rule, `${describe(f)} is not supported by ${lacking.join(', ')}`));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Template scanning.
