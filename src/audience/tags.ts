/**
 * Tag rules (issue 16): a tag is 1 to 40 lower-case ASCII letters, digits and hyphens, starting and ending with a
 * letter or digit. The ends are kept clear of hyphens so that a tag never reads as a command-line option (`-x`) and
 * so that `paid` and `paid-` cannot both exist by accident. Input is trimmed and lower-cased before it is checked.
 */

export const TAG_MAX_LENGTH = 40;

const TAG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export const TAG_RULE = `lower-case letters, digits and hyphens, 1 to ${TAG_MAX_LENGTH} characters, not starting or ending with a hyphen`;

export class BadTagError extends Error {
  constructor(readonly tag: string) {
    super(`bad tag ${JSON.stringify(tag)}: a tag is ${TAG_RULE}`);
    this.name = 'BadTagError';
  }
}

/** The tag as stored (trimmed, lower-cased), or null when it breaks the rule even so. */
export function normalizeTag(input: string): string | null {
  const tag = input.trim().toLowerCase();
  return tag.length <= TAG_MAX_LENGTH && TAG.test(tag) ? tag : null;
}

/** The tag as stored; throws a BadTagError naming the input when it breaks the rule. */
export function parseTag(input: string): string {
  const tag = normalizeTag(input);
  if (tag === null) throw new BadTagError(input);
  return tag;
}

/** Each input as stored, in first-seen order without repeats; throws on the first bad one. */
export function parseTags(inputs: readonly string[]): string[] {
  return [...new Set(inputs.map(parseTag))];
}
