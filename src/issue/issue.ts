/** A parsed, validated issue: front matter with its defaults applied, and the Markdown body. */
export interface Issue {
  /** Path relative to the project root, used in every diagnostic. */
  file: string;
  slug: string;
  title: string;
  subject: string;
  subtitle: string | null;
  /** Only when the writer set one; the renderer otherwise derives it from the text. */
  preheader: string | null;
  author: string;
  /** YYYY-MM-DD. */
  date: string;
  image: { src: string; alt: string; caption: string | null } | null;
  tags: string[];
  layout: string;
  status: 'draft' | 'ready';
  /** False keeps a ready issue out of the web archive's index and feed (its page still exists; it can be sent). */
  archive: boolean;
  /** The front matter's `segment:` (a config name or an expression), or null for everyone. */
  segment: string | null;
  /** The front matter's `topic:` (an id from the config's `topics:`), or null for the main list. */
  topic: string | null;
  /** The front matter's `send_at:` as written, and its line; resolved against the config's timezone when rendered. */
  sendAt: { value: string; line: number } | null;
  body: string;
  /** File line of each front matter key the writer set, for diagnostics found after parsing. */
  lines: Record<string, number>;
  /** File line on which the body starts, to give body diagnostics their real line. */
  bodyLine: number;
}
