import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/schema.ts';
import { createDkimPool } from './dkim-pool.ts';
import { signDkim } from './dkim-signature.ts';

export interface DkimOptions {
  /** The signing domain (`d=`) and the selector (`s=`) under which its DNS holds the public key. */
  domain: string;
  selector: string;
  /** PEM text of an RSA private key. */
  privateKey: string;
}

/**
 * The header fields signed, each over-signed (named once more than the message has it, so none can be added after
 * signing; one the message lacks, such as Reply-To, can then not be added at all). Beside the identity fields,
 * List-Unsubscribe and List-Unsubscribe-Post: RFC 8058 one-click unsubscribe counts only when the signature covers both.
 */
export const SIGNED_FIELDS: readonly string[] = [
  'From',
  'To',
  'Subject',
  'Date',
  'Message-ID',
  'Reply-To',
  'MIME-Version',
  'Content-Type',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
];

/** An RSA private key from PEM text; the error never quotes the text, which is a secret. */
function rsaKey(pem: string, from: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`${from} is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----" or "-----BEGIN RSA PRIVATE KEY-----")`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`${from} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; DKIM signing here uses rsa-sha256, so it needs an RSA key`);
  }
  return key;
}

/**
 * A signer that prepends an over-signing `DKIM-Signature` (rsa-sha256, relaxed/relaxed) to a message. The key is
 * parsed once here, not per message.
 */
export function createDkimSigner(options: DkimOptions): (message: Buffer) => Promise<Buffer> {
  return signer(options.domain, options.selector, rsaKey(options.privateKey, 'the DKIM private key'));
}

function signer(domain: string, selector: string, privateKey: KeyObject): (message: Buffer) => Promise<Buffer> {
  const key = { domain, selector, privateKey, fields: SIGNED_FIELDS };
  // Async like the worker pool's signer, so either can be handed to a send; a signing error rejects.
  return (message) => new Promise((resolve) => resolve(signDkim(message, key)));
}

/**
 * The DKIM signer `newsletter.yaml` asks for (`sending.dkim`), or null when it asks for none. The private key comes
 * from the environment: `DKIM_PRIVATE_KEY` (PEM text; `\n` escapes are accepted, as .env files write them) or
 * `DKIM_PRIVATE_KEY_FILE` (a path to the PEM file).
 */
export function dkimFromEnv(
  config: Config,
  env: NodeJS.ProcessEnv,
  /** Sign on this many worker threads (a bulk send); 1 signs on the calling thread. */
  workers = 1,
): ((message: Buffer) => Promise<Buffer>) | null {
  const dkim = config.sending.dkim;
  if (!dkim) return null;
  let pem: string;
  let from: string;
  if (env.DKIM_PRIVATE_KEY?.trim()) {
    pem = env.DKIM_PRIVATE_KEY.includes('\n') ? env.DKIM_PRIVATE_KEY : env.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n');
    from = 'DKIM_PRIVATE_KEY';
  } else if (env.DKIM_PRIVATE_KEY_FILE?.trim()) {
    const path = env.DKIM_PRIVATE_KEY_FILE.trim();
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`DKIM_PRIVATE_KEY_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    from = `DKIM_PRIVATE_KEY_FILE (${path})`;
  } else {
    throw new Error(
      `sending.dkim is set in newsletter.yaml (${dkim.selector}._domainkey.${dkim.domain}) but no private key was given: ` +
        'set DKIM_PRIVATE_KEY to the PEM text or DKIM_PRIVATE_KEY_FILE to its path',
    );
  }
  const key = rsaKey(pem, from);
  return workers > 1 ? createDkimPool({ domain: dkim.domain, selector: dkim.selector, privateKey: pem }, workers) : signer(dkim.domain, dkim.selector, key);
}
