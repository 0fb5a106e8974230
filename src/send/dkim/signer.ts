import type { KeyObject } from 'node:crypto';
import { rsaKey } from './key.ts';
import { headerAndBodyHash, rsaSignature, signatureField, signatureInput } from './signature.ts';

export interface DkimOptions {
  /** The signing domain (`d=`) and the selector (`s=`) under which its DNS holds the public key. */
  domain: string;
  selector: string;
  /** PEM text of an RSA private key. */
  privateKey: string;
}

/**
 * A DKIM signer; async so the thread signer and the worker pool can stand for each other. Called with a message, it
 * returns the message with a `DKIM-Signature` on top. A bulk send uses `field`: it already holds the header and the
 * body's hash (the MIME template hashes its constant parts once), so only the header fields and the RSA signature
 * are left to do.
 */
export interface DkimSigner {
  (message: Buffer): Promise<Buffer>;
  /** The `DKIM-Signature` field, CRLF at its end, for a header block (latin1 text, no blank line) and a body hash. */
  field(header: string, bodyHash: string): Promise<string>;
}

/** A signer from its `field` function: on this thread, or a worker pool's. */
export function dkimSigner(field: DkimSigner['field']): DkimSigner {
  const sign = async (message: Buffer) => {
    const { header, bodyHash } = headerAndBodyHash(message);
    return Buffer.concat([Buffer.from(await field(header, bodyHash), 'latin1'), message]);
  };
  return Object.assign(sign, { field });
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

/**
 * A signer that prepends an over-signing `DKIM-Signature` (rsa-sha256, relaxed/relaxed) to a message. The key is
 * parsed once here, not per message.
 */
export function createDkimSigner(options: DkimOptions): DkimSigner {
  return signerWithKey(options.domain, options.selector, rsaKey(options.privateKey, 'the DKIM private key'));
}

/** The same, on the calling thread, with a key already parsed. */
export function signerWithKey(domain: string, selector: string, privateKey: KeyObject): DkimSigner {
  const key = { domain, selector, fields: SIGNED_FIELDS };
  // A signing error rejects rather than throws, as the pool's does.
  return dkimSigner(
    (header, bodyHash) =>
      new Promise((resolve) => {
        const { head, input } = signatureInput(header, bodyHash, key);
        resolve(signatureField(head, rsaSignature(input, privateKey)));
      }),
  );
}
