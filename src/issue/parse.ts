import { diag, type Diagnostic } from '../core/diagnostic.ts';
import { schemaProblems } from '../core/schema-problems.ts';
import { splitFrontMatter } from './front-matter.ts';
import type { Issue } from './issue.ts';
import { frontMatterSchema, SUBJECT_MAX } from './schema.ts';
import { SLUG_PATTERN, slugFromFileName } from './slug.ts';

export interface ParseDefaults {
  author: string;
  layout: string;
}

export interface ParsedIssue {
  issue: Issue | null;
  diagnostics: Diagnostic[];
}

/**
 * The largest issue file read, in UTF-8 bytes. Rendering costs grow with the file; a newsletter issue is a few tens of
 * kilobytes, and an email over 102 KB is clipped anyway (issue 12, finding 8).
 */
export const ISSUE_FILE_MAX = 2 * 1024 * 1024;

/** Normalises line endings and drops a BOM, so line numbers match what an editor shows. */
export function normaliseSource(source: string): string {
  return source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Parses one issue file. Pure: gets the file's display path and text, returns the issue or every problem found,
 * each with its line and field.
 */
export function parseIssue(file: string, source: string, defaults: ParseDefaults): ParsedIssue {
  // Checked before any other work.
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > ISSUE_FILE_MAX) {
    const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
    const message = `the issue file is ${mb(bytes)} MB (${bytes.toLocaleString('en')} bytes); at most ${mb(ISSUE_FILE_MAX)} MB is read: split it into several issues, or link to long material`;
    return { issue: null, diagnostics: [diag(file, 1, 'error', 'size/file', message)] };
  }
  const text = normaliseSource(source);
  const split = splitFrontMatter(text);
  if (!split.ok) {
    return { issue: null, diagnostics: [diag(file, split.line, 'error', 'front-matter/syntax', split.message)] };
  }
  const { yaml, body, bodyLine } = split;
  const diagnostics: Diagnostic[] = yaml.problems.map((p) =>
    p.fatal
      ? diag(file, p.line, 'error', 'front-matter/yaml', `front matter is not valid YAML: ${p.message}`)
      : diag(file, p.line, 'error', 'front-matter/duplicate-key', p.message, p.field),
  );
  // A duplicate key leaves a readable document: validate it too, so the writer sees every problem at once.
  if (yaml.problems.some((p) => p.fatal)) return { issue: null, diagnostics };

  const data = yaml.value ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      issue: null,
      diagnostics: [diag(file, 2, 'error', 'front-matter/type', 'front matter must be a mapping of keys to values')],
    };
  }
  const result = frontMatterSchema.safeParse(data);
  const fields = data as Record<string, unknown>;
  // The subject defaults to the title, so a long title without a subject would send an over-long subject.
  if (fields.subject === undefined && typeof fields.title === 'string' && fields.title.trim().length > SUBJECT_MAX) {
    diagnostics.push(
      diag(
        file,
        yaml.lineOf(['title'], 1),
        'error',
        'front-matter/field',
        `"title" is ${fields.title.trim().length} characters, too long to be the subject (at most ${SUBJECT_MAX}); add a shorter "subject"`,
        'title',
      ),
    );
  }
  if (!result.success) {
    for (const p of schemaProblems(frontMatterSchema, result.error.issues, data, yaml, 1)) {
      const rule = p.unknownKey ? 'front-matter/unknown-key' : 'front-matter/field';
      diagnostics.push(diag(file, p.line, 'error', rule, p.message, p.field || undefined));
    }
    return { issue: null, diagnostics };
  }
  if (diagnostics.length > 0) return { issue: null, diagnostics };
  const fm = result.data;
  const slug = fm.slug ?? slugFromFileName(file);
  if (!SLUG_PATTERN.test(slug)) {
    diagnostics.push(
      diag(
        file,
        1,
        'error',
        'front-matter/field',
        `the file name gives the slug "${slug}", which is not lower-case letters, digits and hyphens; rename the file or set "slug"`,
        'slug',
      ),
    );
    return { issue: null, diagnostics };
  }
  const issue: Issue = {
    file,
    slug,
    title: fm.title.trim(),
    subject: (fm.subject ?? fm.title).trim(),
    subtitle: fm.subtitle?.trim() ?? null,
    preheader: fm.preheader?.trim() ?? null,
    author: fm.author?.trim() ?? defaults.author,
    date: fm.date,
    image: fm.image ? { src: fm.image.src.trim(), alt: fm.image.alt.trim(), caption: fm.image.caption?.trim() ?? null } : null,
    tags: fm.tags?.map((t) => t.trim()) ?? [],
    layout: fm.layout ?? defaults.layout,
    status: fm.status ?? 'draft',
    archive: fm.archive ?? true,
    segment: fm.segment?.trim() ?? null,
    topic: fm.topic ?? null,
    sendAt: fm.send_at !== undefined ? { value: fm.send_at.trim(), line: yaml.lineOf(['send_at'], 1) } : null,
    body,
    lines: Object.fromEntries(Object.keys(fm).map((key) => [key, yaml.lineOf([key], 1)])),
    bodyLine,
  };
  return { issue, diagnostics };
}
