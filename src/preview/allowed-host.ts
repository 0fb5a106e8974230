import { isIP } from 'node:net';

/**
 * The Host header check that stops DNS rebinding: a page on `evil.example` whose name is re-pointed at 127.0.0.1
 * reaches the preview with `Host: evil.example:PORT`, so only this computer's own names, and the address given to
 * `--host`, are answered (as Vite and webpack-dev-server do). When the preview listens on every interface
 * (`--host 0.0.0.0` or `::`), any IP address is accepted too: the machine is visited by its addresses, and a
 * rebinding attack needs a domain name.
 */
export function hostChecker(listenHost: string, port: number): (header: string | undefined) => boolean {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', bracketed(listenHost.toLowerCase())]);
  const anyAddress = listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '[::]';
  return (header) => {
    const parsed = header === undefined ? null : splitHost(header.toLowerCase());
    if (!parsed || parsed.port !== port) return false;
    if (names.has(parsed.name)) return true;
    return anyAddress && isIP(parsed.name.replace(/^\[(.*)\]$/, '$1')) !== 0;
  };
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `name:port`, `[v6]:port` or a bare name (port 80, as HTTP leaves it out); null for anything else. */
function splitHost(header: string): { name: string; port: number } | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header);
  if (!match) return null;
  return { name: match[1]!, port: match[2] === undefined ? 80 : Number(match[2]) };
}
