import { normalizeTag } from './tags.ts';

/**
 * The tags a sign-up form post asks for, kept only when the config allows them (`signup.tags`): the field may be
 * repeated (checkboxes) or hold several tags separated by commas. A visitor chooses among the writer's tags and
 * cannot make up new ones, so anything else, a bad tag included, is dropped without a word.
 */
export function formTags(values: readonly string[], allowed: readonly string[]): string[] {
  const allow = new Set(allowed);
  const tags = new Set<string>();
  for (const value of values) {
    for (const part of value.split(',')) {
      const tag = normalizeTag(part);
      if (tag !== null && allow.has(tag)) tags.add(tag);
    }
  }
  return [...tags];
}
