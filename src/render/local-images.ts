import { posix } from 'node:path';

/** An image file next to the issues, to be copied beside the web page. */
export interface Asset {
  /** Project path of the file, e.g. `issues/images/chart.png`. */
  from: string;
  /** Path under `dist/web/<slug>/`, e.g. `chart.png`. */
  to: string;
}

export type ImageResolution = { url: string; asset: Asset } | { error: string } | null;

/**
 * Resolves an image the issue names by a relative path (`images/chart.png`, `photo.jpg`) to a file under
 * `issues/<slug>/` or `issues/images/`, and to the absolute URL it will have beside the web page: email clients
 * cannot load relative paths. Absolute and remote URLs are not its business (null). `files` lists the project's
 * files under `issues/`; nothing is read here.
 */
export function resolveLocalImage(src: string, slug: string, baseUrl: string, files: ReadonlySet<string>): ImageResolution {
  const trimmed = src.trim();
  if (trimmed === '' || /^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('/') || trimmed.startsWith('#')) return null;
  let path: string;
  try {
    path = posix.normalize(decodeURIComponent(trimmed.split(/[?#]/)[0]!));
  } catch {
    return { error: `the image path "${trimmed}" is not a valid path` };
  }
  if (path.startsWith('../') || path === '..' || path.startsWith('/')) return { error: `the image "${trimmed}" is outside issues/; keep images in issues/images/ or issues/${slug}/` };
  const candidates = [
    { from: `issues/${slug}/${path}`, to: path },
    { from: `issues/images/${path.replace(/^images\//, '')}`, to: path.replace(/^images\//, '') },
  ];
  const found = candidates.find((c) => files.has(c.from));
  if (!found) return { error: `image file not found: "${trimmed}" (looked for ${candidates.map((c) => c.from).join(' and ')})` };
  const url = `${baseUrl}/${slug}/${found.to.split('/').map(encodeURIComponent).join('/')}`;
  return { url, asset: found };
}
