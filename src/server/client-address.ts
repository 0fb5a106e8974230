import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * Who a request comes from, for the rate limits. Behind `hops` trusted proxies (`server.trust_proxy`), each of them
 * appended the address it got the request from to `X-Forwarded-For`, so the client is the `hops`-th address from the
 * right; everything left of it was written by the client and is ignored, so prepending addresses changes nothing.
 * This is Express's `trust proxy` with a number: with fewer addresses than hops, the leftmost one. With 0 hops, or
 * a header that is missing or has anything but IP addresses where the proxies write, the socket's address.
 */
export function clientAddress(socket: string, forwardedFor: string | undefined, hops: number): string {
  if (hops <= 0 || forwardedFor === undefined) return socket;
  const chain = forwardedFor.split(',').map((part) => part.trim());
  const trusted = chain.slice(-hops);
  if (!trusted.every((address) => isIP(address) !== 0)) return socket;
  return trusted[0]!.toLowerCase();
}

/** The rate-limit key of a request: its client's address, or `unknown` for in-process requests with no socket. */
export function clientOf(c: Context, hops: number): string {
  let socket: string;
  try {
    socket = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not behind a Node socket (in-process requests)
  }
  return clientAddress(socket, c.req.header('x-forwarded-for'), hops);
}
