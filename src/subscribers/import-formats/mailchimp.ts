import { evidenceOf, headerName, type ImportFormat, type ImportStatus } from './format.ts';

/**
 * Mailchimp's audience export: three files, subscribed_members_export_*, unsubscribed_members_export_* (with
 * UNSUB_TIME, UNSUB_REASON…) and cleaned_members_export_* (CLEAN_TIME…: hard bounces), each with the merge fields
 * ("Email Address", "First Name"…) then MEMBER_RATING, OPTIN_TIME, OPTIN_IP, CONFIRM_TIME, CONFIRM_IP, location
 * guesses, LAST_CHANGED, LEID, EUID, NOTES, TAGS. Which file it is comes from its columns, else its name.
 */
const EVIDENCE = [
  'OPTIN_TIME',
  'OPTIN_IP',
  'CONFIRM_TIME',
  'CONFIRM_IP',
  'LAST_CHANGED',
  'UNSUB_TIME',
  'UNSUB_CAMPAIGN_TITLE',
  'UNSUB_CAMPAIGN_ID',
  'UNSUB_REASON',
  'UNSUB_REASON_OTHER',
  'CLEAN_TIME',
  'CLEAN_CAMPAIGN_TITLE',
  'CLEAN_CAMPAIGN_ID',
];
// Mailchimp's bookkeeping and its location guesses: neither attributes nor evidence of consent.
const DROPPED = ['MEMBER_RATING', 'LATITUDE', 'LONGITUDE', 'GMTOFF', 'DSTOFF', 'TIMEZONE', 'CC', 'REGION', 'LEID', 'EUID'];

export function recogniseMailchimp(header: readonly string[], fileName: string): ImportFormat | null {
  const names = new Set(header.map(headerName));
  if (!names.has('optin_time') || !(names.has('leid') || names.has('euid') || names.has('member_rating'))) return null;
  const file = fileName.toLowerCase();
  const kind: ImportStatus =
    names.has('clean_time') || file.startsWith('cleaned_members_export')
      ? 'bounced'
      : names.has('unsub_time') || file.startsWith('unsubscribed_members_export')
        ? 'unsubscribed'
        : 'active';
  const which = kind === 'bounced' ? 'cleaned members' : kind === 'unsubscribed' ? 'unsubscribed members' : 'subscribed members';
  return {
    label: `Mailchimp (${which})`,
    consumed: [...EVIDENCE, ...DROPPED, 'TAGS'],
    tagColumn: 'TAGS',
    row(cells) {
      // An abuse report is unsubscribed in Mailchimp's file but is a complaint here: never mailed, and known why.
      const status = kind === 'unsubscribed' && /spam|abuse/i.test(cells('UNSUB_REASON')) ? 'complained' : kind;
      const optedInAt = cells('OPTIN_TIME').trim();
      const ip = cells('CONFIRM_IP').trim() || cells('OPTIN_IP').trim();
      return {
        status,
        tags: [],
        consent: {
          ...(optedInAt ? { optedInAt } : {}),
          ...(ip ? { ip } : {}),
          evidence: evidenceOf(cells, EVIDENCE),
        },
      };
    },
  };
}
