/**
 * Addresses as logs may show them: `m***@example.org`, enough for an operator to tell lines apart, not enough for
 * whoever reads the log to learn who subscribes.
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const first = [...address.slice(0, Math.max(at, 0))][0];
  return at > 0 && first ? `${first}***@${address.slice(at + 1)}` : '***';
}

/** Anything that looks like an address, up to the delimiters SMTP replies put around one (`<a@b>`, `"a@b"`). */
const ADDRESS_LIKE = /[^\s<>"'(),;[\]]+@[^\s<>"'(),;[\]]+/gu;

/**
 * Text for one log line: every address in it masked (servers quote the recipient in their replies) and control
 * characters, line breaks included, made spaces, so nothing can forge a second line.
 */
export function forLog(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return text.replace(ADDRESS_LIKE, maskAddress).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}
