import { evidenceOf, headerName, type ImportFormat } from './format.ts';

/**
 * beehiiv's subscriber export: `email`, `status` (active, inactive, pending, needs_approval; the API adds validating
 * and invalid), `created_at`, `unsubscribed_at`, `utm_source`… Inactive or with `unsubscribed_at` is unsubscribed;
 * invalid is an address that bounced; pending and awaiting approval never became subscribers, and are skipped.
 */
const EVIDENCE = ['created_at', 'unsubscribed_at', 'status', 'utm_source', 'utm_medium', 'utm_campaign', 'referring_site'];

export function recogniseBeehiiv(header: readonly string[]): ImportFormat | null {
  const names = new Set(header.map(headerName));
  if (!names.has('status') || !names.has('unsubscribed_at')) return null;
  return {
    label: 'beehiiv (subscribers)',
    consumed: EVIDENCE,
    row(cells) {
      const status = cells('status').trim().toLowerCase();
      if (['pending', 'needs_approval', 'validating'].includes(status)) return { skip: `not a confirmed subscriber in beehiiv (${status})` };
      const optedInAt = cells('created_at').trim();
      const consent = { ...(optedInAt ? { optedInAt } : {}), evidence: evidenceOf(cells, EVIDENCE) };
      if (status === 'invalid') return { status: 'bounced', tags: [], consent };
      if (status === 'inactive' || cells('unsubscribed_at').trim() !== '') return { status: 'unsubscribed', tags: [], consent };
      if (status === 'active' || status === '') return { status: 'active', tags: [], consent };
      return { skip: `the beehiiv status ${JSON.stringify(status)} is not one this import knows` };
    },
  };
}
