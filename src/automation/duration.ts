/** The forms a delay or `schedule.max_delay` accepts, for errors. */
export const DURATION_FORMS = '0, or a whole number and a unit: 45s, 30m, 2h, 3d or 1w';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Longest accepted: ten years, far past any sensible delay, and well inside a safe integer of milliseconds. */
const MAX_MS = 520 * UNIT_MS.w;

/**
 * A duration in milliseconds, or null. A bare number other than 0 is refused: "5" could be seconds, minutes or days.
 */
export function parseDuration(value: unknown): number | null {
  if (value === 0 || value === '0') return 0;
  if (typeof value !== 'string') return null;
  const match = /^([1-9][0-9]{0,6})([smhdw])$/.exec(value.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as Unit];
  return ms <= MAX_MS ? ms : null;
}

/** `3d`, `30m`, `1h 30m`, `0`: the largest units first, zero parts left out. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * UNIT_MS[unit];
  }
  return parts.length > 0 ? parts.join(' ') : '0';
}

/** How long until a time still ahead, never "in 0": a part of a second counts as a whole one. */
export function formatTimeAhead(ms: number): string {
  return `in ${formatDuration(Math.ceil(ms / 1000) * 1000)}`;
}
