/** The webhook endpoint on SQLite (issue 18): the shared contract, webhooks/webhook-contract.ts. */
import { genericCase } from './webhooks/generic-case.ts';
import { mailgunCase } from './webhooks/mailgun-case.ts';
import { postmarkCase } from './webhooks/postmark-case.ts';
import { resendCase } from './webhooks/resend-case.ts';
import { sendgridCase } from './webhooks/sendgrid-case.ts';
import { sesCase } from './webhooks/ses-case.ts';
import { sqliteTestStores, webhookContract } from './webhooks/webhook-contract.ts';

webhookContract('sqlite', sqliteTestStores, [genericCase, sesCase, mailgunCase, sendgridCase, postmarkCase, resendCase]);
