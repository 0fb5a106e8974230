import { listIssueFiles, readBuildSources } from '../project/sources.ts';
import { issueReadProblem, readIssueFile } from '../project/issue-file.ts';
import { parseIssue, renderIssue, setupFromSources } from '../project/render-stack.ts';
import type { BuildSetup } from '../project/setup.ts';
import { CONFIG_FILE } from '../config/config-file.ts';
import { diag, type Diagnostic } from '../core/diagnostic.ts';
import { declaredSlug } from '../issue/declared-slug.ts';
import type { RenderedIssue } from '../render/render-issue.ts';

/** One issue as the preview shows it: the latest render, or why there is none. */
export interface IssueView {
  file: string;
  slug: string;
  title: string;
  date: string | null;
  status: 'draft' | 'ready' | null;
  /** Bumped on every change to what this issue renders from; the page asks for the version it shows. */
  version: number;
  rendered: RenderedIssue | null;
  diagnostics: Diagnostic[];
}

interface Entry {
  file: string;
  source: string;
  /** Why the file could not be read (a symbolic link, never followed, or bytes that are not text); shown instead of a render. */
  problem?: Diagnostic;
  version: number;
  view: IssueView | null;
}

/**
 * The preview's state: the project's files in memory and each issue's latest render. A change to an issue marks
 * that issue stale; a change to the config or a template marks them all; nothing renders until it is asked for,
 * so only the issues open in a browser (and the index's counts, when the index is open) cost a render.
 */
export class Workspace {
  setup: BuildSetup | null = null;
  private setupProblems: Diagnostic[] = [];
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(readonly root: string) {}

  /** Reads everything once at start-up. */
  async load(): Promise<void> {
    await this.loadSetup();
    for (const file of await listIssueFiles(this.root)) await this.loadIssue(file);
  }

  /**
   * Applies changed paths (relative to the root) and returns the issues whose render may now differ, with their
   * slugs (a deleted issue's last one). A bad config or template is kept as a problem shown on every page; fixing the
   * file recovers by itself.
   */
  async changed(paths: readonly string[]): Promise<{ file: string; slug: string }[]> {
    const gone: { file: string; slug: string }[] = [];
    const touched = new Set<string>();
    let everything = false;
    for (const path of paths) {
      // The config, a template, or an image beside the issues (the set of files an issue may use) changes them all.
      if (path === CONFIG_FILE || path.startsWith('templates/') || (path.startsWith('issues/') && !/^issues\/[^/]+\.md$/.test(path))) everything = true;
      else if (/^issues\/[^/]+\.md$/.test(path)) touched.add(path);
    }
    if (everything) {
      await this.loadSetup();
      this.generation++;
      for (const entry of this.entries.values()) this.stale(entry);
    }
    for (const file of touched) await this.loadIssue(file);
    // A new or deleted issue changes the list; a listed issue that vanished is dropped.
    const listed = new Set(await listIssueFiles(this.root));
    for (const file of listed) {
      if (this.entries.has(file)) continue;
      await this.loadIssue(file);
      touched.add(file);
    }
    for (const [file, entry] of [...this.entries]) {
      if (listed.has(file)) continue;
      gone.push({ file, slug: this.slugOf(entry) });
      this.entries.delete(file);
      touched.delete(file);
    }
    const present = everything ? [...this.entries.keys()] : [...touched].filter((f) => this.entries.has(f));
    return [...present.map((file) => ({ file, slug: this.slugOf(this.entries.get(file)!) })), ...gone];
  }

  /** The text of a template or of the config as loaded, by its project path; null for anything else. */
  knownFile(path: string): string | null {
    const sources = this.setup?.sources;
    if (!sources) return null;
    if (path === CONFIG_FILE) return sources.configText;
    for (const t of [...Object.values(sources.templates.layouts), ...Object.values(sources.templates.partials)]) {
      if (t.file === path) return t.source;
    }
    return null;
  }

  /** The issue file's text as last read. */
  source(file: string): string {
    return this.entries.get(file)?.source ?? '';
  }

  files(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The issue file behind a slug (its front matter's, or its file name's when the file does not parse). */
  fileOf(slug: string): string | undefined {
    for (const entry of this.entries.values()) if (this.slugOf(entry) === slug) return entry.file;
    return undefined;
  }

  /** Renders the issue if anything it depends on changed since its last render. */
  async view(file: string): Promise<IssueView | null> {
    const entry = this.entries.get(file);
    if (!entry) return null;
    if (!entry.view) entry.view = await this.render(entry);
    return entry.view;
  }

  async views(): Promise<IssueView[]> {
    const out: IssueView[] = [];
    for (const file of this.files()) out.push((await this.view(file))!);
    return out.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.file.localeCompare(b.file));
  }

  private stale(entry: Entry): void {
    entry.version++;
    entry.view = null;
  }

  private slugOf(entry: Entry): string {
    return entry.view?.slug ?? declaredSlug(entry.file, entry.source);
  }

  private async loadSetup(): Promise<void> {
    try {
      this.setup = setupFromSources(await readBuildSources(this.root));
      this.setupProblems = [];
    } catch (error) {
      const found = (error as { diagnostics?: Diagnostic[] }).diagnostics;
      this.setupProblems = found ?? [diag(CONFIG_FILE, 0, 'error', 'preview/setup', (error as Error).message)];
    }
  }

  private async loadIssue(file: string): Promise<void> {
    let source = '';
    let problem: Diagnostic | undefined;
    try {
      source = readIssueFile(this.root, file);
    } catch (error) {
      // Deleted between the event and the read: the listing below drops it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      problem = issueReadProblem(file, error);
    }
    const entry = this.entries.get(file);
    if (entry && entry.source === source && entry.problem?.message === problem?.message) return;
    if (entry) {
      entry.source = source;
      entry.problem = problem;
      this.stale(entry);
    } else this.entries.set(file, { file, source, problem, version: this.generation, view: null });
  }

  private async render(entry: Entry): Promise<IssueView> {
    const base: IssueView = {
      file: entry.file,
      slug: this.slugOf(entry),
      title: entry.file,
      date: null,
      status: null,
      version: entry.version,
      rendered: null,
      diagnostics: [...this.setupProblems],
    };
    if (entry.problem) return { ...base, diagnostics: [...base.diagnostics, entry.problem] };
    if (!this.setup || this.setupProblems.length > 0) return base;
    const { config, templates } = this.setup;
    let parsed;
    try {
      parsed = parseIssue(entry.file, entry.source, { author: config.author.name, layout: config.layout });
    } catch (error) {
      return { ...base, diagnostics: [diag(entry.file, 0, 'error', 'preview/crash', `the parser failed (a bug): ${(error as Error).message}`)] };
    }
    if (!parsed.issue) return { ...base, diagnostics: parsed.diagnostics };
    const { issue } = parsed;
    const view: IssueView = { ...base, slug: issue.slug, title: issue.title, date: issue.date, status: issue.status };
    try {
      const rendered = await renderIssue(issue, config, templates, this.setup.files);
      return { ...view, rendered, diagnostics: [...parsed.diagnostics, ...rendered.diagnostics] };
    } catch (error) {
      return { ...view, diagnostics: [diag(entry.file, 0, 'error', 'preview/crash', `the renderer failed (a bug): ${(error as Error).message}`)] };
    }
  }
}
