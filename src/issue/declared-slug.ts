import { splitFrontMatter } from './front-matter.ts';
import { normaliseSource } from './parse.ts';
import { SLUG_PATTERN, slugFromFileName } from './slug.ts';

/**
 * The slug an issue answers to, without rendering it: the front matter's `slug` when it has a valid one, else the file name's.
 * Read through the front-matter parser, so a body line `slug: x` is text, not a new name; front matter that does not
 * parse leaves the file name's slug, and the render that follows reports the problem.
 */
export function declaredSlug(file: string, source: string): string {
  const split = splitFrontMatter(normaliseSource(source));
  if (split.ok && !split.yaml.problems.some((p) => p.fatal)) {
    const data = split.yaml.value;
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      const slug = (data as Record<string, unknown>).slug;
      if (typeof slug === 'string' && SLUG_PATTERN.test(slug)) return slug;
    }
  }
  return slugFromFileName(file);
}
