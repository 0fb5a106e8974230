import type { Environment } from '../config/environment.ts';
import { genericProvider } from './generic-provider.ts';
import { mailgunProvider } from './mailgun-provider.ts';
import { postmarkProvider } from './postmark-provider.ts';
import { resendProvider } from './resend-provider.ts';
import { sendgridProvider } from './sendgrid-provider.ts';
import { sesProvider } from './ses-provider.ts';
import type { Fetch, WebhookProvider } from './webhook-provider.ts';

/**
 * The webhook providers `serve` answers for: each one whose secret is in the environment, and SES when the config
 * lists its SNS topics. A secret of the wrong shape is an error naming its variable (never its value), collected
 * with the others, so that serve refuses to start with all of them said at once rather than answer 401 to every
 * event a provider sends.
 */
export function enabledProviders(
  webhooks: Environment['webhooks'],
  ses: { topicArns: readonly string[]; fetch: Fetch },
): { providers: Map<string, WebhookProvider>; problems: string[] } {
  const providers = new Map<string, WebhookProvider>();
  const problems: string[] = [];
  const add = (make: () => WebhookProvider) => {
    try {
      const provider = make();
      providers.set(provider.name, provider);
    } catch (error) {
      problems.push((error as Error).message);
    }
  };
  if (webhooks.mailgun) add(() => mailgunProvider(webhooks.mailgun!));
  if (webhooks.sendgrid) add(() => sendgridProvider(webhooks.sendgrid!));
  if (webhooks.postmark) add(() => postmarkProvider(webhooks.postmark!));
  if (webhooks.resend) add(() => resendProvider(webhooks.resend!));
  if (webhooks.generic) add(() => genericProvider(webhooks.generic!));
  if (ses.topicArns.length > 0) add(() => sesProvider(ses.topicArns, ses.fetch));
  return { providers, problems };
}
