import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The environment's two ways to give the DKIM private key, as already read (from `process.env` or a schema). */
export interface DkimKeySource {
  /** PEM text; `\n` escapes are accepted, as .env files write them. */
  DKIM_PRIVATE_KEY?: string | undefined;
  /** A path to the PEM file. */
  DKIM_PRIVATE_KEY_FILE?: string | undefined;
}

/** An RSA private key from PEM text; the error never quotes the text, which is a secret. */
export function rsaKey(pem: string, from: string): KeyObject {
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
 * The PEM text of the DKIM key and the parsed key, from `DKIM_PRIVATE_KEY` (preferred) or the file
 * `DKIM_PRIVATE_KEY_FILE` names. `wanted` names the key newsletter.yaml asks for, for the error when neither is set.
 */
export function dkimPrivateKey(source: DkimKeySource, wanted: { domain: string; selector: string }): { pem: string; key: KeyObject } {
  let pem: string;
  let from: string;
  if (source.DKIM_PRIVATE_KEY?.trim()) {
    pem = source.DKIM_PRIVATE_KEY.includes('\n') ? source.DKIM_PRIVATE_KEY : source.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n');
    from = 'DKIM_PRIVATE_KEY';
  } else if (source.DKIM_PRIVATE_KEY_FILE?.trim()) {
    const path = source.DKIM_PRIVATE_KEY_FILE.trim();
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`DKIM_PRIVATE_KEY_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    from = `DKIM_PRIVATE_KEY_FILE (${path})`;
  } else {
    throw new Error(
      `sending.dkim is set in newsletter.yaml (${wanted.selector}._domainkey.${wanted.domain}) but no private key was given: ` +
        'set DKIM_PRIVATE_KEY to the PEM text or DKIM_PRIVATE_KEY_FILE to its path',
    );
  }
  return { pem, key: rsaKey(pem, from) };
}
