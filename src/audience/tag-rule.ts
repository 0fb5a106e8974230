/** What a tag may be (issue 16): lower-case letters, digits and hyphens, 1 to 40 characters. */
export const MAX_TAG_LENGTH = 40;
const TAG = /^[a-z0-9-]+$/;

/** Why `tag` is not a tag, or undefined when it is one. */
export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'is empty';
  if (tag.length > MAX_TAG_LENGTH) return `is longer than ${MAX_TAG_LENGTH} characters`;
  if (!TAG.test(tag)) {
    if (TAG.test(tag.toLowerCase())) return `has capital letters (tags are lower-case: ${tag.toLowerCase()})`;
    return 'may hold only lower-case letters, digits and hyphens';
  }
  return undefined;
}
