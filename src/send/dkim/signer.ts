import type { KeyObject } from 'node:crypto';
import { rsaKey } from './key.ts';
import { signDkim } from './signature.ts';

export interface DkimOptions {
  /** The signing domain (`d=`) and the selector (`s=`) under which its DNS holds the public key. */
  domain: string;
  selector: string;
  /** PEM text of an RSA private key. */
  privateKey: string;
}

/** Prepends a `DKIM-Signature` to a message; async so the thread signer and the worker pool can stand for each other. */
export type DkimSigner = (message: Buffer) => Promise<Buffer>;

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
  const key = { domain, selector, privateKey, fields: SIGNED_FIELDS };
  // A signing error rejects rather than throws, as the pool's does.
  return (message) => new Promise((resolve) => resolve(signDkim(message, key)));
}
