import { highlight, highlightSourceLines } from './highlight.ts';

/**
 * Highlighting a whole email's HTML takes a few milliseconds, and the same version is asked for again on every
 * reload and live refresh; the last few results are kept, keyed by language and the code itself, so a new
 * version (or another sample reader) is simply a new key and nothing stale is ever shown.
 */
const LIMIT = 16;
const cache = new Map<string, string | string[]>();

function remember<T extends string | string[]>(key: string, make: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key); // most recently used goes last
    cache.set(key, hit);
    return hit as T;
  }
  const value = make();
  cache.set(key, value);
  if (cache.size > LIMIT) cache.delete(cache.keys().next().value!);
  return value;
}

/** `highlight`, remembered. */
export function highlighted(code: string, language: string): string {
  return remember(`${language}\0${code}`, () => highlight(code, language));
}

/** `highlightSourceLines`, remembered. */
export function highlightedSourceLines(source: string): string[] {
  return remember(`source\0${source}`, () => highlightSourceLines(source));
}
