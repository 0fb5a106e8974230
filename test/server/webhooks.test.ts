/** The webhook endpoint on SQLite (issue 18): the shared contract, webhooks/webhook-contract.ts. */
import { genericCase } from './webhooks/generic-case.ts';
import { sesCase } from './webhooks/ses-case.ts';
import { sqliteTestStores, webhookContract } from './webhooks/webhook-contract.ts';

webhookContract('sqlite', sqliteTestStores, [genericCase, sesCase]);
