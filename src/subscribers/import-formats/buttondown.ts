import { evidenceOf, headerName, type ImportFormat, type MappedRow } from './format.ts';

/**
 * Buttondown's subscriber export: `email`, `subscriber_type`, `tags` separated by `;`, `subscription_date`,
 * `unsubscription_date`… Its documented types: regular, premium, trialed, unpaid, gifted, churning, paused and
 * past_due still get email; unsubscribed and removed left; spammy was stopped by Buttondown; unactivated never
 * confirmed, so is skipped rather than mailed.
 */
const EVIDENCE = ['subscription_date', 'unsubscription_date', 'subscriber_type', 'source', 'referrer_url', 'ip_address'];
const PAID = new Set(['premium', 'trialed', 'gifted', 'churning', 'paused', 'past_due']);

export function recogniseButtondown(header: readonly string[]): ImportFormat | null {
  const names = new Set(header.map(headerName));
  if (!names.has('subscriber_type')) return null;
  return {
    label: 'Buttondown (subscribers)',
    consumed: [...EVIDENCE, 'tags', 'id', 'metadata'],
    tagColumn: 'tags',
    tagSeparator: ';',
    row(cells): MappedRow {
      const type = cells('subscriber_type').trim().toLowerCase();
      if (type === 'unactivated') return { skip: 'never confirmed their address in Buttondown (unactivated)' };
      const optedInAt = cells('subscription_date').trim();
      const ip = cells('ip_address').trim();
      const consent = { ...(optedInAt ? { optedInAt } : {}), ...(ip ? { ip } : {}), evidence: evidenceOf(cells, EVIDENCE) };
      const left = ['unsubscribed', 'removed', 'spammy'].includes(type) || cells('unsubscription_date').trim() !== '';
      if (left) return { status: 'unsubscribed', tags: [], consent };
      return { status: 'active', tags: PAID.has(type) ? ['paid'] : [], consent };
    },
  };
}
