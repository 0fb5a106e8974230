import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { getMimeType } from 'hono/utils/mime';
import { openNoFollow } from '../core/read-no-follow.ts';

/**
 * The names in a request path under the archive, or null for a path that must not be served: bad percent-encoding,
 * an empty segment (`//`), a separator or NUL inside a segment, and any segment starting with a dot, which covers
 * `.` and `..` as well as dotfiles and dot-folders (`.git`, `.env`), which are never published.
 */
export function archivePath(urlPath: string): string[] | null {
  if (!urlPath.startsWith('/')) return null;
  const parts = urlPath.slice(1).split('/');
  if (parts.at(-1) === '') parts.pop(); // `/` and `/slug/`: the folder's index.html
  const names: string[] = [];
  for (const part of parts) {
    let name: string;
    try {
      name = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (name === '' || name.startsWith('.') || /[/\\\0]/.test(name)) return null;
    names.push(name);
  }
  return names;
}

/**
 * The file under `webRoot` a request path names (a folder's `index.html`), reached without passing through any
 * symbolic link: a link inside `dist/web/` is refused whether it points out of the folder or within it. Null when
 * there is no such file.
 */
async function findArchiveFile(webRoot: string, names: readonly string[]): Promise<string | null> {
  // lstat never follows a link: a link is neither a directory nor a file here. The root itself is the operator's.
  let path = webRoot;
  for (const [i, name] of names.entries()) {
    path = join(path, name);
    const info = await lstat(path).catch(() => null);
    if (info?.isFile() && i === names.length - 1) return path;
    if (!info?.isDirectory()) return null;
  }
  path = join(path, 'index.html');
  return (await lstat(path).catch(() => null))?.isFile() ? path : null;
}

/**
 * Serves the web archive `build` wrote, for GET and HEAD, at `base` (the path of `url`: `''` or `/news`), with
 * `policy` as its content security policy; anything else falls through to the next handler (404).
 */
export function serveArchive(webRoot: string, policy: string, base = '') {
  return async (c: Context, next: () => Promise<void>) => {
    const path = c.req.path;
    const names = path.startsWith(`${base}/`) ? archivePath(path.slice(base.length)) : null;
    const file = names && (await findArchiveFile(webRoot, names));
    // The last step is opened without following a link, so one swapped in after the check is refused too.
    const handle = file ? await openNoFollow(file).catch(() => null) : null;
    if (!file || !handle) return next();
    const info = await handle.stat();
    const headers = {
      'Content-Type': getMimeType(file) ?? 'application/octet-stream',
      'Content-Length': String(info.size),
      'Last-Modified': info.mtime.toUTCString(),
      'Content-Security-Policy': policy,
    };
    if (c.req.method === 'HEAD') {
      await handle.close();
      return c.body(null, 200, headers);
    }
    // The stream closes the file when it ends or the reader goes away.
    return c.body(Readable.toWeb(handle.createReadStream()) as ReadableStream, 200, headers);
  };
}
