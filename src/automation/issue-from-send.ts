import type { Config } from '../config/schema.ts';
import type { IssueForSend } from '../send/compose/issue-for-send.ts';
import type { SendRecord } from '../store/ledger/records.ts';

/**
 * A send already begun, as the session wants it: its frozen content and the config as it is now. A worker resuming
 * a scheduled send never renders the file again: the readers still to come get what the first ones got, even when
 * the file has been edited (or broken) since.
 */
export function issueFromSend(send: SendRecord, config: Config): IssueForSend {
  return {
    config,
    file: send.issueFile,
    title: send.subject,
    slug: send.slug,
    status: 'ready',
    subject: send.subject,
    html: send.html,
    text: send.text,
    placeholderPrefix: send.placeholderPrefix,
    segment: null,
    topic: send.topic === null ? null : { id: send.topic, line: 0 },
    diagnostics: [],
  };
}
