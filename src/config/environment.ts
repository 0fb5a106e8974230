// zod's mini build: every command reads the environment first, and the full build costs 50 to 100 ms to load on a
// 2-core machine, against under 10 ms for this one (the rest of zod loads only for commands that read the config).
import * as z from 'zod/mini';

/**
 * The environment, read once through one schema. Every value is trimmed; an empty one counts as unset, as it always
 * has (a test clears `SMTP_URL` by setting it to ''). Only the shape is checked here: what a value means (an SMTP
 * URL's scheme, a secret's length, a key's PEM) is checked where it is used, with the messages users already know.
 */
export interface Environment {
  /** `SMTP_URL`: where mail goes; holds a password, so it is never echoed. */
  smtpUrl: string | null;
  /** `NEWSLETTER_DB`: the subscriber database, relative to the project root, or `:memory:`. */
  databasePath: string | null;
  /** `NEWSLETTER_SECRET`, as given (untrimmed, `undefined` when unset): keyringFromEnv reads and checks it. */
  secret: string | undefined;
  /** `NEWSLETTER_INBOX_PORT`: the preview's local inbox. */
  inboxPort: number | null;
  /** `DKIM_PRIVATE_KEY`, as given (PEM, or with `\n` escapes). */
  dkimPrivateKey: string | null;
  /** `DKIM_PRIVATE_KEY_FILE`. */
  dkimPrivateKeyFile: string | null;
  /** `IMAP_URL`: the bounce mailbox (`imaps://user:pass@host/INBOX`) that `bounces --imap` and the worker read. */
  imapUrl: string | null;
  /** The provider webhook secrets (issue 18): each enables `POST /events/<provider>` on `serve`; null when unset. */
  webhooks: {
    /** `MAILGUN_WEBHOOK_SIGNING_KEY`: Mailgun's HTTP webhook signing key. */
    mailgun: string | null;
    /** `SENDGRID_WEBHOOK_PUBLIC_KEY`: the signed event webhook's verification key, base64 DER, as SendGrid shows it. */
    sendgrid: string | null;
    /** `POSTMARK_WEBHOOK_AUTH`: `user:password`, the basic auth credentials put in Postmark's webhook URL. */
    postmark: string | null;
    /** `RESEND_WEBHOOK_SECRET`: the `whsec_…` signing secret Resend shows for the endpoint. */
    resend: string | null;
    /** `EVENTS_WEBHOOK_SECRET`: the HMAC-SHA256 key of the generic endpoint, for one's own MTA log shipper. */
    generic: string | null;
  };
}

/** Variables whose values must never appear in an error message or a log. */
const SECRET = new Set([
  'SMTP_URL',
  'NEWSLETTER_SECRET',
  'DKIM_PRIVATE_KEY',
  'IMAP_URL',
  'MAILGUN_WEBHOOK_SIGNING_KEY',
  'SENDGRID_WEBHOOK_PUBLIC_KEY',
  'POSTMARK_WEBHOOK_AUTH',
  'RESEND_WEBHOOK_SECRET',
  'EVENTS_WEBHOOK_SECRET',
]);

const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((v: string | undefined) => (v === undefined || v.trim() === '' ? null : v.trim())),
);

const port = z.pipe(
  optionalText,
  z.nullable(z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number)).check(z.refine((n: number) => n >= 1 && n <= 65535))),
);

const schema = z.object({
  SMTP_URL: optionalText,
  NEWSLETTER_DB: optionalText,
  NEWSLETTER_SECRET: z.optional(z.string()),
  NEWSLETTER_INBOX_PORT: port,
  DKIM_PRIVATE_KEY: z.pipe(
    z.optional(z.string()),
    z.transform((v: string | undefined) => (v === undefined || v.trim() === '' ? null : v)),
  ),
  DKIM_PRIVATE_KEY_FILE: optionalText,
  IMAP_URL: optionalText,
  MAILGUN_WEBHOOK_SIGNING_KEY: optionalText,
  SENDGRID_WEBHOOK_PUBLIC_KEY: optionalText,
  POSTMARK_WEBHOOK_AUTH: optionalText,
  RESEND_WEBHOOK_SECRET: optionalText,
  EVENTS_WEBHOOK_SECRET: optionalText,
});

const MEANING: Record<string, string> = {
  NEWSLETTER_INBOX_PORT: 'must be a port number (1–65535)',
};

/** Reads the variables the program uses; an error names the variable, and the value only when it is not a secret. */
export function readEnvironment(env: NodeJS.ProcessEnv): Environment {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const meaning = MEANING[name] ?? 'is not valid';
      const value = env[name];
      return SECRET.has(name) || value === undefined ? `${name} ${meaning}` : `${name} ${meaning}, got ${JSON.stringify(value)}`;
    });
    throw new Error([...new Set(problems)].join('; '));
  }
  const v = result.data;
  return {
    smtpUrl: v.SMTP_URL,
    databasePath: v.NEWSLETTER_DB,
    secret: v.NEWSLETTER_SECRET,
    inboxPort: v.NEWSLETTER_INBOX_PORT,
    dkimPrivateKey: v.DKIM_PRIVATE_KEY,
    dkimPrivateKeyFile: v.DKIM_PRIVATE_KEY_FILE,
    imapUrl: v.IMAP_URL,
    webhooks: {
      mailgun: v.MAILGUN_WEBHOOK_SIGNING_KEY,
      sendgrid: v.SENDGRID_WEBHOOK_PUBLIC_KEY,
      postmark: v.POSTMARK_WEBHOOK_AUTH,
      resend: v.RESEND_WEBHOOK_SECRET,
      generic: v.EVENTS_WEBHOOK_SECRET,
    },
  };
}
