import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The preview pages' own stylesheet and script, real files in assets/ beside this module: from source that is
 * src/preview/assets/, in the bundle lib/assets/ (scripts/bundle.mjs copies them there, since the bundle's
 * import.meta.url is its own file's). Read once; each URL carries a hash of its bytes, so a browser may keep it
 * for good and still never shows an old one after an upgrade.
 */
export interface PageAsset {
  url: string;
  type: string;
  body: string;
}

const TYPES = {
  'preview.css': 'text/css; charset=utf-8',
  'preview.js': 'text/javascript; charset=utf-8',
  // The code tabs' syntax colours (highlight.ts).
  'highlight.css': 'text/css; charset=utf-8',
  // The inbox's pages (inbox-pages.ts).
  'inbox.css': 'text/css; charset=utf-8',
  // The home page's desk: its panels and charts (src/preview/desk.ts).
  'desk.css': 'text/css; charset=utf-8',
} as const;
export type PageAssetName = keyof typeof TYPES;

let loaded: Map<string, PageAsset> | null = null;

function assets(): Map<string, PageAsset> {
  if (loaded) return loaded;
  loaded = new Map();
  for (const [name, type] of Object.entries(TYPES)) {
    const body = readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    loaded.set(name, { url: `/assets/${name}?v=${hash}`, type, body });
  }
  return loaded;
}

/** The URL a page links to, with its content hash. */
export function assetUrl(name: PageAssetName): string {
  return assets().get(name)!.url;
}

/** The asset served at `/assets/<name>`, or undefined for any other name. */
export function pageAsset(name: string): PageAsset | undefined {
  return assets().get(name);
}
