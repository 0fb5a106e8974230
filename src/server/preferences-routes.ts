import type { Context, Hono } from 'hono';
import type { Config } from '../config/schema.ts';
import { retryWhileBusy } from '../store/busy-retry.ts';
import { maskAddress } from '../subscribers/mask-address.ts';
import type { Subscriber, SubscriberStore } from '../subscribers/subscriber.ts';
import { verifyToken, type Keyring } from '../subscribers/tokens.ts';
import { csrfFor, csrfValid } from './preferences-csrf.ts';
import type { PageContent } from './pages.ts';
import { subscriberForToken } from './subscriber-for-token.ts';

export interface PreferencesDeps {
  config: Config;
  keyring: Keyring;
  store: SubscriberStore;
  now: () => Date;
  base: string;
  show: (c: Context, content: PageContent, status?: 200 | 403 | 404) => Response | Promise<Response>;
  notFound: (c: Context) => Response | Promise<Response>;
  log: (line: string) => void;
}

/**
 * The preferences page (issue 16), `GET /preferences/<token>`, linked from every email's footer with the mail's own
 * unsubscribe token: the topics as checkboxes (checked = still receiving) and "unsubscribe from everything". A GET
 * changes nothing; a POST changes only with the page's CSRF token (see preferences-csrf.ts). A bad token, or one for
 * a topic the config does not have, is the same 404 as every bad link.
 */
export function preferencesRoutes(routes: Hono, deps: PreferencesDeps): void {
  const { config, keyring, store, now, base } = deps;

  const reader = async (token: string): Promise<Subscriber | null> => {
    const check = verifyToken(keyring, token, 'unsubscribe', now());
    const subscriber = await subscriberForToken(store, check);
    if (check.ok && check.topic !== null && !config.topics.some((t) => t.id === check.topic)) return null;
    return subscriber;
  };

  const page = async (c: Context, token: string, subscriber: Subscriber, said?: string) => {
    const left = new Set(await store.topicsLeft(subscriber.emailNormalized));
    const gone = subscriber.status !== 'active' && subscriber.status !== 'pending';
    const intro = gone
      ? `${subscriber.email} is ${subscriber.status} and gets no email from ${config.name}. To come back, sign up again.`
      : config.topics.length > 0
        ? `Choose what ${config.name} sends to ${subscriber.email}. Ticked topics keep coming; the main issues come whatever you choose here.`
        : `${config.name} comes to ${subscriber.email}.`;
    return deps.show(c, {
      title: 'Your preferences',
      message: said ? `${said} ${intro}` : intro,
      form: gone
        ? undefined
        : {
            action: `${base}/preferences/${token}`,
            button: 'Save my choices',
            hidden: [{ name: 'csrf', value: csrfFor(keyring, token, now()) }],
            choices: config.topics.map((t) => ({ name: 'topic', value: t.id, label: t.name, description: t.description, checked: !left.has(t.id) })),
            alternative: { name: 'everything', button: 'Unsubscribe from everything' },
          },
    });
  };

  routes.get('/preferences/:token', async (c) => {
    const token = c.req.param('token');
    const subscriber = await reader(token);
    return subscriber ? page(c, token, subscriber) : deps.notFound(c);
  });

  routes.post('/preferences/:token', async (c) => {
    const token = c.req.param('token');
    const subscriber = await reader(token);
    if (!subscriber) {
      deps.log('preferences: unrecognised link');
      return deps.notFound(c);
    }
    const form = await c.req.parseBody({ all: true }).catch(() => ({}) as Record<string, unknown>);
    const who = maskAddress(subscriber.email);
    if (!csrfValid(keyring, token, form['csrf'], now())) {
      deps.log(`preferences ${who}: refused, no valid form token; nothing changed`);
      return deps.show(c, { title: 'Nothing was changed', message: 'This form has expired or did not come from your preferences page. Open the link in your email again and make your choice there.' }, 403);
    }
    if (form['everything'] !== undefined) {
      const changed = await retryWhileBusy(() => store.setStatus(subscriber.emailNormalized, 'unsubscribed', 'unsubscribed from everything on the preferences page', 'preferences'));
      deps.log(`preferences ${who}: ${changed ? 'unsubscribed from everything' : 'already unsubscribed'}`);
      return deps.show(c, { title: 'You are unsubscribed', message: `${subscriber.email} will get no more email from ${config.name}.` });
    }
    const wanted = new Set([form['topic'] ?? []].flat().filter((v): v is string => typeof v === 'string'));
    const left = new Set(await store.topicsLeft(subscriber.emailNormalized));
    const changes: string[] = [];
    for (const topic of config.topics) {
      if (wanted.has(topic.id) && left.has(topic.id)) {
        if (await retryWhileBusy(() => store.rejoinTopic(subscriber.emailNormalized, topic.id, 'preferences'))) changes.push(`back to ${topic.id}`);
      } else if (!wanted.has(topic.id) && !left.has(topic.id)) {
        if (await retryWhileBusy(() => store.leaveTopic(subscriber.emailNormalized, topic.id, 'preferences'))) changes.push(`left ${topic.id}`);
      }
    }
    deps.log(`preferences ${who}: ${changes.length > 0 ? changes.join(', ') : 'no change'}`);
    return page(c, token, subscriber, changes.length > 0 ? 'Saved.' : 'Nothing to change.');
  });
}
