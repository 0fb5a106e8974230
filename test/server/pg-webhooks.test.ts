/** The webhook endpoint on PostgreSQL (issue 18): the shared contract, webhooks/webhook-contract.ts. */
import { openStores } from '../../src/store/open-stores.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { genericCase } from './webhooks/generic-case.ts';
import { mailgunCase } from './webhooks/mailgun-case.ts';
import { postmarkCase } from './webhooks/postmark-case.ts';
import { resendCase } from './webhooks/resend-case.ts';
import { sendgridCase } from './webhooks/sendgrid-case.ts';
import { sesCase } from './webhooks/ses-case.ts';
import { webhookContract, type OpenTestStores } from './webhooks/webhook-contract.ts';

const pgTestStores: OpenTestStores = async (t) => {
  const stores = await openStores(await freshPgDatabase(t), { server: true });
  t.after(() => stores.close());
  return stores;
};

webhookContract('postgresql', pgTestStores, [genericCase, sesCase, mailgunCase, sendgridCase, postmarkCase, resendCase], needsPg);
