import type { Environment } from '../../config/environment.ts';
import type { Config } from '../../config/schema.ts';
import { dkimPrivateKey, type DkimKeySource } from './key.ts';
import { signerWithKey, type DkimSigner } from './signer.ts';
import { createDkimPool } from './signing-pool.ts';

/** The key's two variables, as the environment schema read them. */
export function dkimKeySource(env: Pick<Environment, 'dkimPrivateKey' | 'dkimPrivateKeyFile'>): DkimKeySource {
  return { DKIM_PRIVATE_KEY: env.dkimPrivateKey ?? undefined, DKIM_PRIVATE_KEY_FILE: env.dkimPrivateKeyFile ?? undefined };
}

/**
 * The DKIM signer `newsletter.yaml` asks for (`sending.dkim`), or null when it asks for none. The private key comes
 * from the environment: `DKIM_PRIVATE_KEY` (PEM text; `\n` escapes are accepted, as .env files write them) or
 * `DKIM_PRIVATE_KEY_FILE` (a path to the PEM file).
 */
export function dkimFromEnv(
  config: Config,
  env: DkimKeySource,
  /** Sign on this many worker threads (a bulk send); 1 signs on the calling thread. */
  workers = 1,
): DkimSigner | null {
  const dkim = config.sending.dkim;
  if (!dkim) return null;
  const { pem, key } = dkimPrivateKey(env, dkim);
  return workers > 1 ? createDkimPool({ domain: dkim.domain, selector: dkim.selector, privateKey: pem }, workers) : signerWithKey(dkim.domain, dkim.selector, key);
}
