import { z } from 'zod';
import { isSegmentName, SEGMENT_NAME, segmentValueProblem } from '../audience/segment-choice.ts';
import { oneLine } from '../issue/schema.ts';
import { emailAddress } from '../subscribers/email-address.ts';
import { normalizeTag, TAG_RULE } from '../audience/tags.ts';
import { TOPIC_ID, TOPIC_ID_MAX } from '../audience/topic-id.ts';
import { canonicalTimeZone, TIME_ZONE_FORM } from '../automation/time-zone.ts';
import { automationsSchema } from './automations.ts';
import { scheduleSchema } from './schedule.ts';
import { eventsSchema } from './events.ts';

/** Colours go into inline styles, so only plain hex colours are accepted: nothing that could end the attribute. */
const colour = z
  .string({ error: 'a colour like "#1a1a1a"' })
  .regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, 'must be a hex colour like "#1a1a1a"');

/** One family in a font stack: a name of words, or a name in matching single or double quotes. */
const FAMILY = String.raw`(?:[\p{L}\p{N}_-]+(?: [\p{L}\p{N}_-]+)*|'[\p{L}\p{N} _-]+'|"[\p{L}\p{N} _-]+")`;

/**
 * A CSS font stack, e.g. `Georgia, 'Times New Roman', serif`: families separated by commas, quotes balanced, so the
 * value can neither end the style attribute nor run on into the declarations after it.
 */
const fontStack = z
  .string({ error: 'a font stack' })
  .regex(
    new RegExp(`^ *${FAMILY} *(?:, *${FAMILY} *)*$`, 'u'),
    'must be a font stack like "Georgia, \'Times New Roman\', serif"',
  );

// The subscribers' address rule: no space or control character anywhere, since it goes into headers.
const email = emailAddress('must be a plain email address like "news@example.com"');

const httpUrl = z
  .string({ error: 'a URL' })
  .regex(/^https?:\/\/[^\s\p{Cc}"'<>]+$/u, 'must be an absolute http(s) URL like "https://example.com/newsletter"')
  .transform((u) => u.replace(/\/+$/, ''));

const colours = z.strictObject({
  /** Around the email. */
  background: colour.default('#f3f0ea'),
  /** Behind the text. */
  content_background: colour.default('#ffffff'),
  text: colour.default('#1f1f1f'),
  heading: colour.default('#111111'),
  /** Byline, captions, footer. */
  muted: colour.default('#6b6560'),
  link: colour.default('#a3261c'),
  /** Masthead rule and pull-quote bar. */
  accent: colour.default('#a3261c'),
  quote_background: colour.default('#f8f5f0'),
  border: colour.default('#e4ded5'),
});

/**
 * The same roles for readers whose client is in dark mode (`prefers-color-scheme: dark`: Apple Mail, iOS Mail,
 * Outlook for Mac, Thunderbird). The defaults are warm greys rather than black and white, so that a client which
 * inverts the light colours instead still lands on something readable.
 */
const darkColours = z.strictObject({
  background: colour.default('#121110'),
  content_background: colour.default('#1d1b19'),
  text: colour.default('#e6e1da'),
  heading: colour.default('#f4f0ea'),
  muted: colour.default('#aaa298'),
  link: colour.default('#ff8f80'),
  accent: colour.default('#e2574a'),
  quote_background: colour.default('#2a2724'),
  border: colour.default('#3b3733'),
});

export const themeSchema = z.strictObject({
  /** Email width in pixels; 600 is the width every client handles. */
  width: z.number().int().min(480).max(800).default(600),
  colors: colours.default(colours.parse({})),
  dark: darkColours.default(darkColours.parse({})),
  fonts: z
    .strictObject({
      body: fontStack.default("Georgia, 'Times New Roman', Times, serif"),
      heading: fontStack.default("'Helvetica Neue', Helvetica, Arial, sans-serif"),
    })
    .default({
      body: "Georgia, 'Times New Roman', Times, serif",
      heading: "'Helvetica Neue', Helvetica, Arial, sans-serif",
    }),
  /** Body text size in pixels. */
  font_size: z.number().min(12).max(24).default(18),
  line_height: z.number().min(1).max(2.5).default(1.6),
  logo: z
    .strictObject({
      src: httpUrl,
      alt: oneLine(),
      width: z.number().int().min(16).max(600).default(180),
    })
    .nullable()
    .default(null),
});

const hostname = z
  .string({ error: 'a domain name' })
  .regex(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i, 'must be a domain name like "example.com"');

/** A positive whole number, or null for none. */
const optionalRate = z.number().int().positive().nullable().default(null);

export const sendingSchema = z.strictObject({
  /** Most messages a second to the SMTP server; null for no cap (`--rate` overrides it). */
  rate_per_second: optionalRate,
  /** Most messages an hour, as many providers cap senders; null for no cap. */
  rate_per_hour: optionalRate,
  /** SMTP connections at once, so at most this many messages are in flight. */
  concurrency: z.number().int().min(1).max(50).default(5),
  /** How long a message that meets only temporary failures (4xx) is retried before it counts as failed. */
  retry_for_minutes: z.number().int().min(1).max(10080).default(360),
  /** Seconds to wait for each SMTP reply before the attempt counts as timed out. */
  timeout_seconds: z.number().min(1).max(600).default(60),
  /** An address that unsubscribes whoever writes to it, offered in List-Unsubscribe beside the one-click URL. */
  unsubscribe_mailto: email.nullable().default(null),
  /** The bounce address (MAIL FROM); defaults to `from.email`. */
  return_path: email.nullable().default(null),
  /**
   * DKIM signing: the domain (`d=`) and selector (`s=`) whose DNS TXT record holds the public key. The private key
   * comes from the environment (`DKIM_PRIVATE_KEY`, or a file named in `DKIM_PRIVATE_KEY_FILE`), never from here.
   */
  dkim: z
    .strictObject({ domain: hostname, selector: z.string().regex(/^[a-z0-9](?:[a-z0-9._-]{0,62})$/i, 'must be a DKIM selector like "news2026"') })
    .nullable()
    .default(null),
});

export const serverSchema = z.strictObject({
  /**
   * How many proxies in front of `newsletter serve` to trust (0: none). Each appends to `X-Forwarded-For` the
   * address it got the request from, so with N the client is the N-th address from the right; with 0 the header is
   * ignored and the client is the socket's peer. Set it only when every request goes through those proxies.
   */
  trust_proxy: z.number().int().min(0).max(10).default(0),
});

/**
 * An IANA time zone, kept in its canonical spelling (`europe/berlin` is `Europe/Berlin`). The message names its key
 * itself, so that it reads `"timezone": "Mars/Base" is not a time zone`.
 */
const timeZone = z.string({ error: `a time zone: ${TIME_ZONE_FORM}` }).transform((value, ctx) => {
  const zone = canonicalTimeZone(value.trim());
  if (zone === null) {
    ctx.addIssue({ code: 'custom', message: `"timezone": ${JSON.stringify(value.slice(0, 80))} is not a time zone (${TIME_ZONE_FORM})` });
    return z.NEVER;
  }
  return zone;
});

/** A tag as `audience/tags.ts` has it, stored normalised (`Paid` is `paid`). */
const tag = z.string({ error: 'a tag' }).transform((value, ctx) => {
  const normal = normalizeTag(value);
  if (normal === null) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a tag: a tag is ${TAG_RULE}` });
    return z.NEVER;
  }
  return normal;
});

export const signupSchema = z.strictObject({
  /** The tags the sign-up form may ask for (a `tags` field); any other tag a post names is ignored. */
  tags: z.array(tag).max(100).default([]),
});

export const privacySchema = z.strictObject({
  /**
   * How a sign-up's client address is kept as consent on record: `full`, `truncated` to its /24 (IPv4) or /48
   * (IPv6) network, or `none`.
   */
  ip: z.enum(['full', 'truncated', 'none']).default('truncated'),
});

const topicSchema = z.strictObject({
  id: z.string({ error: 'a topic id' }).max(TOPIC_ID_MAX, `must be at most ${TOPIC_ID_MAX} characters`).regex(TOPIC_ID, 'must be a topic id: lower-case words joined by hyphens, like "alerts" or "weekly-digest"'),
  name: oneLine(120),
  description: oneLine(300).nullable().default(null),
});

export const configSchema = z.strictObject({
  /** The newsletter's name: masthead, footer and the From name. */
  name: oneLine(120).default('My Newsletter'),
  /** One line under the masthead and in the archive. */
  description: oneLine(300).nullable().default(null),
  /** The `lang` of every email and page. */
  language: z
    .string()
    .regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'must be a language tag like "en" or "en-GB"')
    .default('en'),
  /** Public base URL of the web archive; an issue lives at `<url>/<slug>/`. */
  url: httpUrl.default('http://localhost:8787'),
  from: z
    .strictObject({ name: oneLine(120).nullable().default(null), email: email })
    .default({ name: null, email: 'newsletter@example.com' }),
  reply_to: email.nullable().default(null),
  /** Postal address in the footer (CAN-SPAM and most providers require one). */
  address: oneLine(300).default('Postal address not set: add "address" to newsletter.yaml'),
  author: z
    .strictObject({ name: oneLine(120), bio: oneLine(1000).nullable().default(null) })
    .default({ name: 'The Editor', bio: null }),
  /** Layout used when an issue names none. */
  layout: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'must be a layout name from templates/layouts/')
    .default('newsletter'),
  theme: themeSchema.default(themeSchema.parse({})),
  sending: sendingSchema.default(sendingSchema.parse({})),
  server: serverSchema.default(serverSchema.parse({})),
  /**
   * Named segments (issue 16): a name (lower-case letters, digits, hyphens) to a segment expression, usable wherever
   * a segment is (`--segment paid`, `segment: paid` in an issue). Example: `paid: tag:paid and not tag:lapsed`.
   */
  segments: z
    .record(
      z.string(),
      oneLine(2000).superRefine((v, ctx) => {
        const problem = isSegmentName(v) ? 'a name, not an expression (write tag:… , domain:…)' : segmentValueProblem(v);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `is not a segment expression (${problem})` });
      }),
    )
    // Checked here rather than as the record's key schema, whose failure zod reports without the message.
    .superRefine((segments, ctx) => {
      for (const name of Object.keys(segments)) {
        if (!SEGMENT_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a segment name: lower-case letters, digits and hyphens, at most 40' });
      }
    })
    .default({}),
  /**
   * Topics (issue 16): several newsletters in one. An issue names one with `topic:`; each has its own List-Id and
   * one-click unsubscribe, and readers choose theirs on the preferences page.
   */
  topics: z
    .array(topicSchema)
    .max(100)
    // Each id names one list; the second of a pair is the error, at its own line.
    .superRefine((topics, ctx) => {
      const seen = new Set<string>();
      topics.forEach((topic, index) => {
        if (seen.has(topic.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `the topic id "${topic.id}" is used twice; each topic needs its own` });
        seen.add(topic.id);
      });
    })
    .default([]),
  signup: signupSchema.default(signupSchema.parse({})),
  privacy: privacySchema.default(privacySchema.parse({})),
  /**
   * The zone a local time means (issue 17): `send_at: 2026-12-04 07:00` is 7 o'clock there. Null: every time needs an
   * offset.
   */
  timezone: timeZone.nullable().default(null),
  /** Scheduled sends (issue 17): `max_delay`, parsed to `maxDelayMs`. */
  schedule: scheduleSchema.default(scheduleSchema.parse({})),
  /** Welcome email and sequences (issue 17), normalised to one list of sequences, the welcome first. */
  automations: automationsSchema.default(automationsSchema.parse({})),
  /** Provider feedback (issue 18): SES's topics, the soft-bounce policy, the bounce mailbox's interval. */
  events: eventsSchema.default(eventsSchema.parse({})),
});

export type Config = z.infer<typeof configSchema>;
export type Theme = Config['theme'];
export type Sending = Config['sending'];
