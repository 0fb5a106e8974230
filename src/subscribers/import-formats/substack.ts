import { evidenceOf, headerName, isTrue, type ImportFormat } from './format.ts';

/**
 * Substack's email list: `email,active_subscription,expiry,plan,email_disabled,created_at,…`. `email_disabled=true`
 * means the reader does not get email: not subscribed. A reader who asked Substack to delete their account is left
 * as an address at deletion-request.substack.com: skipped. Paying readers are tagged `paid`; `expiry` stays an
 * attribute.
 */
const EVIDENCE = ['created_at', 'first_payment_at'];

export function recogniseSubstack(header: readonly string[]): ImportFormat | null {
  const names = new Set(header.map(headerName));
  if (!names.has('active_subscription') || !names.has('email_disabled')) return null;
  return {
    label: 'Substack (email list)',
    consumed: ['active_subscription', 'email_disabled', ...EVIDENCE],
    row(cells) {
      if (/@deletion-request\.substack\.com$/i.test(cells('email').trim())) return { skip: 'asked Substack to delete their account' };
      const optedInAt = cells('created_at').trim();
      return {
        status: isTrue(cells('email_disabled')) ? 'unsubscribed' : 'active',
        tags: isTrue(cells('active_subscription')) ? ['paid'] : [],
        consent: { ...(optedInAt ? { optedInAt } : {}), evidence: evidenceOf(cells, EVIDENCE) },
      };
    },
  };
}
