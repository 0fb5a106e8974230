import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import DKIM from 'nodemailer/lib/dkim';
import type { Config } from '../config/schema.ts';
import { createDkimPool } from './dkim-pool.ts';

export interface DkimOptions {
  /** The signing domain (`d=`) and the selector (`s=`) under which its DNS holds the public key. */
  domain: string;
  selector: string;
  /** PEM text of an RSA private key. */
  privateKey: string;
}

/**
 * The header fields signed. Beside the identity fields, List-Unsubscribe and List-Unsubscribe-Post: RFC 8058
 * one-click unsubscribe counts only when the signature covers both. Fields a message lacks (Reply-To) are left out.
 */
const SIGNED_FIELDS = [
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
].join(':');

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
 * A signer that prepends a `DKIM-Signature` (rsa-sha256, relaxed/relaxed) to a message, using Nodemailer's DKIM
 * implementation. The key is parsed once here, not per message.
 */
export function createDkimSigner(options: DkimOptions): (message: Buffer) => Promise<Buffer> {
  return signer(options.domain, options.selector, rsaKey(options.privateKey, 'the DKIM private key'));
}

function signer(domain: string, selector: string, privateKey: KeyObject): (message: Buffer) => Promise<Buffer> {
  const dkim = new DKIM({ domainName: domain, keySelector: selector, privateKey, headerFieldNames: SIGNED_FIELDS });
  return async (message) => {
    const chunks: Buffer[] = [];
    for await (const chunk of dkim.sign(message)) chunks.push(chunk as Buffer);
    const signed = Buffer.concat(chunks);
    // Nodemailer passes the message on unsigned when signing fails; it must not go out as if it were signed.
    if (!signed.subarray(0, SIGNATURE_FIELD.length).equals(SIGNATURE_FIELD)) throw new Error('DKIM signing failed');
    return signed;
  };
}

const SIGNATURE_FIELD = Buffer.from('DKIM-Signature:');

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
