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
}

/** Variables whose values must never appear in an error message or a log. */
const SECRET = new Set(['SMTP_URL', 'NEWSLETTER_SECRET', 'DKIM_PRIVATE_KEY']);

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
  };
}
