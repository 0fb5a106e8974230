import type { Config } from '../../config/schema.ts';
import type { Diagnostic } from '../../core/diagnostic.ts';

/**
 * What sending needs of a rendered issue, as plain data: the render happens in a worker thread that exits before
 * the send begins, so the sending process never holds MJML and the rest of the render stack in memory.
 */
export interface IssueForSend {
  config: Config;
  file: string;
  title: string;
  slug: string;
  status: 'draft' | 'ready';
  subject: string;
  /** Final HTML and text with placeholders; null when the issue did not render. */
  html: string | null;
  text: string | null;
  placeholderPrefix: string;
  /** The front matter's `segment:` and its line, or null. */
  segment: { value: string; line: number } | null;
  /** The front matter's `topic:` and its line, or null for the main list. */
  topic: { id: string; line: number } | null;
  diagnostics: Diagnostic[];
}
