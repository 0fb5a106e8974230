/**
 * The `via` a status change from feedback is recorded with. The suppression policy names it after the provider
 * (`ses-bounce`); returned mail keeps the names `bounces` has always written, so a subscriber's history reads the same
 * whether the report came from files or the IMAP mailbox.
 */
const MAILBOX_VIA: Record<string, string> = { 'mailbox-bounce': 'bounce-report', 'mailbox-complaint': 'complaint-report' };

export const statusVia = (via: string): string => MAILBOX_VIA[via] ?? via;
