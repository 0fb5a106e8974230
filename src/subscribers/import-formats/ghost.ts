import { evidenceOf, headerName, isTrue, type ImportFormat } from './format.ts';

/**
 * Ghost's members CSV: `id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,
 * deleted_at,labels,tiers`. `subscribed_to_emails=false` is unsubscribed; a member with `deleted_at` was deleted and
 * is skipped; `labels` (comma-separated) are tags.
 */
const EVIDENCE = ['created_at'];

export function recogniseGhost(header: readonly string[]): ImportFormat | null {
  const names = new Set(header.map(headerName));
  if (!names.has('subscribed_to_emails') || !names.has('labels')) return null;
  return {
    label: 'Ghost (members)',
    consumed: ['id', 'subscribed_to_emails', 'deleted_at', 'labels', ...EVIDENCE],
    tagColumn: 'labels',
    row(cells) {
      if (cells('deleted_at').trim() !== '') return { skip: 'deleted in Ghost (deleted_at is set)' };
      const optedInAt = cells('created_at').trim();
      const id = cells('id').trim();
      return {
        status: isTrue(cells('subscribed_to_emails')) ? 'active' : 'unsubscribed',
        tags: [],
        consent: { ...(optedInAt ? { optedInAt } : {}), evidence: { ...evidenceOf(cells, EVIDENCE), ...(id ? { ghost_id: id } : {}) } },
      };
    },
  };
}
