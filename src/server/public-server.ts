import { createHmac } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Config } from '../config/schema.ts';
import { retryWhileBusy } from '../store/busy-retry.ts';
import { DatabaseBusyError } from '../store/open.ts';
import type { SignUpResult } from '../store/sign-up-decision.ts';
import type { Stores } from '../store/stores.ts';
import { consentPage, keptIp } from '../audience/consent.ts';
import { formTags } from '../audience/form-tags.ts';
import { checkAddress } from '../subscribers/email-address.ts';
import { maskAddress } from '../subscribers/mask-address.ts';
import { cleanFormName } from '../subscribers/name.ts';
import { subscriberForToken } from './subscriber-for-token.ts';
import { verifyToken, type Keyring } from '../subscribers/tokens.ts';
import { serveArchive } from './archive-files.ts';
import { preferencesRoutes } from './preferences-routes.ts';
import { eventsRoutes, type EventsOptions } from './events-routes.ts';
import { clientOf } from './client-address.ts';
import { loadPages, type PageContent } from './pages.ts';
import { archivePolicy, PAGE_POLICY, SECURITY_HEADERS } from './security-headers.ts';
import { urlPath } from '../web/url-path.ts';

export interface PublicAppOptions {
  root: string;
  /** The built web archive to serve (`dist/web`); none when null. */
  webRoot?: string | null;
  config: Config;
  /** Opened with `server: true` (open-stores.ts): on SQLite, a lock held elsewhere is waited for off the event loop. */
  stores: Stores;
  keyring: Keyring;
  now?: () => Date;
  /** Called when a confirmation email was queued, so the sender sends it now rather than at its next poll. */
  onConfirmationQueued?: () => void;
  /** One line per sign-up, confirmation and unsubscription, the address masked; none when absent. */
  log?: (line: string) => void;
  /** Provider feedback webhooks (`POST /events/<provider>`, issue 18); every provider answers 404 when absent. */
  events?: Omit<EventsOptions, 'feedback' | 'now' | 'log'>;
}

/** Sign-up posts one client may make in each window, across every server on the database. */
export const SIGN_UPS_PER_CLIENT = 10;
export const SIGN_UP_WINDOW_MS = 10 * 60_000;

/** Form posts are a few fields; anything bigger is refused before it is read. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * The public side: sign-up with double opt-in, confirmation and one-click unsubscribe (RFC 8058). A GET or HEAD
 * never changes anything (mail scanners fetch links); only a POST does. Every bad token, whatever is wrong with it,
 * gets the same 404, and nothing changes. No request sends mail: a sign-up queues its confirmation email in the
 * database (`ConfirmationSender` mails it), so the answer and its timing never depend on the address or on SMTP.
 * Everything lives under the path of `url` (`https://example.org/news` → `/news/subscribe`, `/news/confirm/…`, the
 * archive at `/news/`), where the emails' links and the archive's form point; `/` leads there.
 */
export function publicApp(options: PublicAppOptions): Hono {
  const { config, stores, keyring } = options;
  const now = options.now ?? (() => new Date());
  // On SQLite, writes wait for a lock held elsewhere (an import) off the event loop: see busy-retry.ts.
  const store = stores.subscribers;
  const log = options.log ?? (() => {});
  const page = loadPages(options.root, config);
  // Counted in the database, so that the limit holds across every `serve` on it; the key is a keyed hash of the
  // client, so no address is stored.
  const clientKey = (client: string) => createHmac('sha256', keyring.keys[0]!).update(`sign-up rate:${client}`).digest('hex').slice(0, 32);
  const base = urlPath(config.url);
  const app = new Hono();
  const routes = new Hono();

  const show = (c: Context, content: PageContent, status: 200 | 400 | 403 | 404 | 410 | 413 | 429 | 500 | 503 = 200) => c.html(page(content), status);
  const notFound = (c: Context) => show(c, { title: 'Link not recognised', message: 'This link is not valid. If you copied it from an email, check that it is complete.' }, 404);

  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    // The archive's files come with their own policy; everything else is one of the server's pages.
    if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', PAGE_POLICY);
  });
  // Forms are small; provider webhooks have their own limit (events-routes.ts).
  const formLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => show(c, { title: 'Too much data', message: 'That request was too large.' }, 413) });
  const eventsPath = `${base}/events/`;
  app.use((c, next) => (c.req.method === 'POST' && c.req.path.startsWith(eventsPath) && options.events ? next() : formLimit(c, next)));
  if (base !== '') {
    app.get('/', (c) => c.redirect(`${base}/`, 302));
    app.get(base, (c) => c.redirect(`${base}/`, 301));
  }

  /** The log line of a sign-up or a resend, and a nudge to the sender when an email was queued. */
  const queued = (what: string, result: SignUpResult) => {
    const who = maskAddress(result.subscriber.email);
    if (!result.queued) return log(`${what} ${who}: ${result.why}; nothing sent`);
    log(`${what} ${who}: ${result.was === null ? 'new, pending' : result.was === 'unsubscribed' ? 'unsubscribed, pending again' : result.was}; confirmation email queued`);
    options.onConfirmationQueued?.();
  };

  routes.post('/subscribe', async (c) => {
    const client = clientOf(c, config.server.trust_proxy);
    if (!(await retryWhileBusy(() => stores.counters.hit(clientKey(client), now().getTime(), SIGN_UPS_PER_CLIENT, SIGN_UP_WINDOW_MS)))) return show(c, { title: 'Slow down', message: 'Too many sign-ups from here; try again in a few minutes.' }, 429);
    // `all`: a field sent more than once (the form's tag checkboxes) comes as a list; any other field is its last value.
    const form = await c.req.parseBody({ all: true });
    const strings = (key: string) => [form[key] ?? []].flat().filter((v): v is string => typeof v === 'string');
    const text = (key: string) => strings(key).at(-1) ?? '';
    const sent: PageContent = {
      title: 'Check your inbox',
      message: 'If that address can receive email, a message with a confirmation link is on its way (one a day at most). Nothing happens until you click it. Already subscribed? Then there is nothing more to do.',
    };
    // A filled honeypot is a bot: it gets the same answer and nothing happens.
    if (text('website') !== '') return show(c, sent);
    const address = checkAddress(text('email'));
    if (!address.ok) return show(c, { title: 'That address does not look right', message: `The email address ${address.reason}.` }, 400);
    const name = cleanFormName(text('name'));
    // The same answer, after the same work, whatever the address; only someone who can read its mail learns more.
    const tags = formTags(strings('tags'), config.signup.tags);
    // Consent on record: the page the form was on (its own field, else the Referer, only under `url`), the time
    // of the request, and the client's address as `privacy.ip` keeps it.
    const consent = { source: consentPage([text('page'), c.req.header('referer')], config.url), optedInAt: now().toISOString(), ip: keptIp(client, config.privacy.ip) };
    const signUpRequest = { email: address.address, emailNormalized: address.normalized, name, tags, consent };
    queued('sign-up', await retryWhileBusy(() => stores.signUps.signUp(signUpRequest, now())));
    return show(c, sent);
  });

  const confirmPage = async (c: Context, token: string) => {
    const check = verifyToken(keyring, token, 'confirm', now());
    // "Expired" only for a link whose subscriber is still there; an erased or replaced one's is a 404 like any other.
    if (!check.ok && check.expired && (await subscriberForToken(store, verifyToken(keyring, token, 'confirm', now(), Number.MAX_SAFE_INTEGER)))) {
      return show(c, { title: 'This link has expired', message: 'Confirmation links last 48 hours. We can send you a new one.', form: { action: `${base}/confirm/${token}/resend`, button: 'Send me a new link' } }, 410);
    }
    if (!(await subscriberForToken(store, check))) return notFound(c);
    return show(c, { title: `Confirm your subscription`, message: `One click and ${config.name} will arrive in your inbox.`, form: { action: `${base}/confirm/${token}`, button: 'Confirm my subscription' } });
  };
  routes.get('/confirm/:token', (c) => confirmPage(c, c.req.param('token')));

  routes.post('/confirm/:token', async (c) => {
    const token = c.req.param('token');
    const check = verifyToken(keyring, token, 'confirm', now());
    if (!check.ok) {
      log(`confirm: ${check.expired ? 'expired' : 'unrecognised'} link`);
      return confirmPage(c, token);
    }
    const subscriber = await subscriberForToken(store, check);
    if (!subscriber) {
      log('confirm: unrecognised link');
      return notFound(c);
    }
    const who = maskAddress(subscriber.email);
    // Only a pending subscriber is confirmed: an old link never brings back someone who has since left.
    if (subscriber.status === 'pending') {
      await retryWhileBusy(() => store.setStatus(subscriber.emailNormalized, 'active', 'confirmed by email', 'form'));
      log(`confirm ${who}: confirmed, active`);
    } else if (subscriber.status !== 'active') {
      log(`confirm ${who}: ${subscriber.status}, link no longer applies`);
      return show(c, { title: 'This link no longer applies', message: `${subscriber.email} has left ${config.name} since this link was sent. To come back, sign up again.` });
    } else log(`confirm ${who}: already active`);
    return show(c, { title: 'You are subscribed', message: `Thank you. The next issue of ${config.name} will come to ${subscriber.email}.` });
  });

  routes.post('/confirm/:token/resend', async (c) => {
    // An expired link still proves who it was for (its signature is checked); it can ask for a new one.
    const check = verifyToken(keyring, c.req.param('token'), 'confirm', now(), Number.MAX_SAFE_INTEGER);
    const subscriber = await subscriberForToken(store, check);
    if (!subscriber) return notFound(c);
    queued('resend', await retryWhileBusy(() => stores.signUps.resendConfirmation(subscriber, now())));
    return show(c, { title: 'Check your inbox', message: 'If you still need one, a new confirmation link is on its way (one a day at most).' });
  });

  /**
   * The topic an unsubscribe token leaves, as the config names it; null for the whole list. The token's signature
   * says this newsletter issued it, so a topic removed from the config since is still left when asked (named by its
   * id): a reader's unsubscribe link must keep working after the writer tidies the config.
   */
  const topicOf = (check: ReturnType<typeof verifyToken>) =>
    check.ok && check.topic !== null ? (config.topics.find((t) => t.id === check.topic) ?? { id: check.topic, name: check.topic }) : null;

  routes.get('/unsubscribe/:token', async (c) => {
    const token = c.req.param('token');
    const check = verifyToken(keyring, token, 'unsubscribe', now());
    const subscriber = await subscriberForToken(store, check);
    const topic = topicOf(check);
    if (!subscriber) return notFound(c);
    if (topic) return show(c, { title: `Leave ${topic.name}`, message: `Stop sending ${topic.name} to ${subscriber.email}? The rest of ${config.name} keeps coming.`, form: { action: `${base}/unsubscribe/${token}`, button: `Leave ${topic.name}` } });
    return show(c, { title: 'Unsubscribe', message: `Stop sending ${config.name} to ${subscriber.email}?`, form: { action: `${base}/unsubscribe/${token}`, button: 'Unsubscribe' } });
  });

  // RFC 8058 one-click: mail providers POST `List-Unsubscribe=One-Click` (urlencoded or multipart), with no cookie,
  // from any origin; the answer is 200 with no redirect. The page's button posts here too. A topic's token leaves
  // that topic only: the list its mail's List-Id names.
  routes.post('/unsubscribe/:token', async (c) => {
    const check = verifyToken(keyring, c.req.param('token'), 'unsubscribe', now());
    const subscriber = await subscriberForToken(store, check);
    const topic = topicOf(check);
    if (!subscriber) {
      log('unsubscribe: unrecognised link');
      return notFound(c);
    }
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const oneClick = form['List-Unsubscribe'] === 'One-Click';
    const via = oneClick ? 'one-click' : 'web';
    if (topic) {
      const left = await retryWhileBusy(() => store.leaveTopic(subscriber.emailNormalized, topic.id, via));
      log(`leave topic ${topic.id} ${maskAddress(subscriber.email)}: ${left ? 'left' : 'already left'}${oneClick ? ' (one-click)' : ''}`);
      return show(c, { title: `You have left ${topic.name}`, message: left ? `${subscriber.email} will get no more ${topic.name}. The rest of ${config.name} keeps coming.` : `${subscriber.email} had already left ${topic.name}.` });
    }
    const changed = await retryWhileBusy(() =>
      store.setStatus(subscriber.emailNormalized, 'unsubscribed', oneClick ? 'one-click unsubscribe from the mail client' : 'unsubscribed on the web', via),
    );
    log(`unsubscribe ${maskAddress(subscriber.email)}: ${changed ? 'unsubscribed' : 'already unsubscribed'}${oneClick ? ' (one-click)' : ''}`);
    return show(c, { title: 'You are unsubscribed', message: changed ? `${subscriber.email} will get no more email from ${config.name}.` : `${subscriber.email} was already unsubscribed.` });
  });

  preferencesRoutes(routes, { config, keyring, store, now, base, show, notFound, log });
  if (options.events) eventsRoutes(routes, { ...options.events, feedback: stores.feedback, now, log });

  // The web archive `build` wrote: the index, issue pages, images, feed and sitemap, for GET and HEAD only; never
  // a dotfile, nor anything reached through a symbolic link.
  if (options.webRoot) routes.get('*', serveArchive(options.webRoot, archivePolicy(config.url), base));
  app.route(base || '/', routes);

  app.notFound((c) => show(c, { title: 'Not found', message: 'There is nothing here.' }, 404));
  // No stack traces leave the server; the operator's log has them.
  app.onError((error, c) => {
    process.stderr.write(`newsletter serve: ${error.stack ?? error.message}\n`);
    if (error instanceof DatabaseBusyError) c.header('Retry-After', '60');
    return show(c, { title: 'Something went wrong', message: 'Please try again in a moment.' }, error instanceof DatabaseBusyError ? 503 : 500);
  });
  return app;
}
