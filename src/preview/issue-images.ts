import type { Asset } from '../render/local-images.ts';

/** Content types of the image files an issue may use. */
export const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.svg': 'image/svg+xml',
};

/** A percent-encoded path decoded, or null when it is not valid encoding. */
export function safeDecode(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

/** The email for the frames, with the issue's own images pointing at the preview instead of the unpublished site. */
export function localImages(html: string, slug: string, assets: readonly Asset[], baseUrl: string): string {
  let out = html;
  for (const asset of assets) {
    const path = asset.to.split('/').map(encodeURIComponent).join('/');
    out = out.replaceAll(`${baseUrl}/${slug}/${path}`, `/issues/${encodeURIComponent(slug)}/assets/${path}`);
  }
  return out;
}
