/** The webhook endpoint on PostgreSQL (issue 18): the shared contract, webhooks/webhook-contract.ts. */
import { openStores } from '../../src/store/open-stores.ts';
import { freshPgDatabase, needsPg } from '../support/pg.ts';
import { genericCase } from './webhooks/generic-case.ts';
import { sesCase } from './webhooks/ses-case.ts';
import { webhookContract, type OpenTestStores } from './webhooks/webhook-contract.ts';

const pgTestStores: OpenTestStores = async (t) => {
  const stores = await openStores(await freshPgDatabase(t), { server: true });
  t.after(() => stores.close());
  return stores;
};

webhookContract('postgresql', pgTestStores, [genericCase, sesCase], needsPg);
