/** Small readers for the untyped JSON providers send, shared by their parsers. Pure. */

export const record = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

export const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/** An ISO 8601 time, or seconds since the epoch (a number or its text); null when neither. */
export function time(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.round(v * 1000) : null;
  if (typeof v !== 'string' || v.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

/** A Message-ID with its angle brackets, as the ledger keeps ours. */
export function bracketed(id: string | null): string | null {
  if (id === null) return null;
  const t = id.trim();
  if (t === '') return null;
  return t.startsWith('<') ? t : `<${t}>`;
}

/** A Message-ID without its angle brackets: the form a 250 reply's id is kept in (provider-id.ts). */
export const bare = (id: string | null): string | null => (id === null ? null : id.trim().replace(/^<|>$/g, '') || null);

/** Parses a body as JSON, or says it is not. */
export function jsonBody(body: Buffer): { ok: true; json: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, json: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'a body that is not JSON' };
  }
}
