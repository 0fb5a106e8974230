import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { CONFIG_FILE } from '../config/file.ts';
import { diag, hasErrors, type Diagnostic } from '../core/diagnostic.ts';
import { readTextFile } from '../core/read-text.ts';
import { SYMLINK_REFUSED } from '../core/read-no-follow.ts';
import { loadTemplateSources } from '../render/load-templates.ts';
import { readManifest, RENDERER_VERSION, sha256, writeManifest, type Manifest } from './manifest.ts';
import { issueReadProblem, readIssueFile } from './issue-file.ts';
import { rendererFingerprint } from './renderer-fingerprint.ts';
import { writeIssueOutputs } from './outputs.ts';
import { renderInWorkers, WORKER_THRESHOLD } from './pool.ts';
import type { BuildSetup, BuildSources, WorkItem, WorkResult } from './setup.ts';

export interface BuildOptions {
  root: string;
  /** Issue files relative to root; all of `issues/*.md` when empty. */
  files: string[];
  outDir: string;
  /** Rebuild even what the manifest says is current. */
  force?: boolean;
  /** Worker threads; defaults by issue count. */
  workers?: boolean;
}

export interface IssueReport {
  file: string;
  slug: string | null;
  ok: boolean;
  skipped: boolean;
  diagnostics: Diagnostic[];
}

export interface BuildReport {
  issues: IssueReport[];
  /** Problems not tied to one issue's render (duplicate slugs, unreadable files). */
  diagnostics: Diagnostic[];
  ok: boolean;
}

export async function listIssueFiles(root: string): Promise<string[]> {
  try {
    const names = await readdir(join(root, 'issues'));
    return names.filter((n) => n.endsWith('.md')).sort().map((n) => `issues/${n}`);
  } catch {
    return [];
  }
}

/**
 * Files under `issues/` that are not issues (images), as project paths; hidden files are skipped, and symbolic links
 * (to files or folders) are never followed: they are listed apart, so that commands can say why they go unused.
 */
export async function listIssueAssets(root: string): Promise<{ files: string[]; links: string[] }> {
  const files: string[] = [];
  const links: string[] = [];
  const walk = async (dir: string, rel: string) => {
    const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name.startsWith('.') || (rel === '' && e.name.endsWith('.md'))) continue;
      if (e.isSymbolicLink()) links.push(`issues/${rel}${e.name}`);
      else if (e.isDirectory()) await walk(join(dir, e.name), `${rel}${e.name}/`);
      else if (e.isFile()) files.push(`issues/${rel}${e.name}`);
    }
  };
  await walk('issues', '');
  return { files: files.sort(), links: links.sort() };
}

/** A warning for each symbolic link under `issues/`: issues cannot use what it points at. */
export function linkWarnings(sources: BuildSources): Diagnostic[] {
  return (sources.issueLinks ?? []).map((file) => diag(file, 0, 'warning', 'build/symlink', `${file} ${SYMLINK_REFUSED}; issues cannot use it`));
}

/** Config text, template files and the images beside the issues: everything besides an issue that decides its output. */
export async function readBuildSources(root: string): Promise<BuildSources> {
  const configText = await readTextFile(join(root, CONFIG_FILE), CONFIG_FILE).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  const assets = await listIssueAssets(root);
  return { root: resolve(root), configText, templates: await loadTemplateSources(root), issueFiles: assets.files, issueLinks: assets.links };
}

function sourcesHash(sources: BuildSources): string {
  const { layouts, partials, web = {} } = sources.templates;
  const templateParts = [...Object.values(layouts), ...Object.values(partials), ...Object.values(web)]
    .flatMap((t) => [t.file, t.source]);
  return sha256(RENDERER_VERSION, rendererFingerprint(), sources.configText ?? '', ...templateParts, ...sources.issueFiles, ...(sources.issueLinks ?? []));
}


/**
 * Builds issues into `outDir`: parse, render and write each one, skipping those whose content, templates and config
 * are unchanged since the last build. Every issue is attempted; the report says which failed and why.
 */
export async function build(options: BuildOptions): Promise<BuildReport> {
  const root = resolve(options.root);
  const outDir = resolve(root, options.outDir);
  const sources = await readBuildSources(root);
  const files = options.files.length > 0 ? options.files.map((f) => relative(root, resolve(root, f))) : await listIssueFiles(root);
  const globalHash = sourcesHash(sources);
  // Read even with --force: it also records the slugs of issues outside this build, for the duplicate check.
  const manifest: Manifest = await readManifest(outDir);
  const next: Manifest = { version: RENDERER_VERSION, entries: { ...manifest.entries } };

  const reports = new Map<string, IssueReport>();
  /** Config and templates, made once, and only if something is rendered here. */
  let setup: BuildSetup | undefined;
  const diagnostics: Diagnostic[] = linkWarnings(sources);
  const work: WorkItem[] = [];
  const hashes = new Map<string, string>();
  for (const file of files) {
    let source: string;
    try {
      source = readIssueFile(root, file);
    } catch (error) {
      // Like an issue that fails to render, an unreadable one loses its manifest entry, so its last good outputs are
      // not kept as if current.
      reports.set(file, { file, slug: null, ok: false, skipped: false, diagnostics: [issueReadProblem(file, error)] });
      delete next.entries[file];
      continue;
    }
    const hash = sha256(globalHash, file, source);
    hashes.set(file, hash);
    const previous = manifest.entries[file];
    if (!options.force && previous && previous.hash === hash && existsSync(join(outDir, previous.slug, 'meta.json'))) {
      reports.set(file, { file, slug: previous.slug, ok: true, skipped: true, diagnostics: previous.diagnostics });
      continue;
    }
    work.push({ file, source, outDir });
  }

  const record = (result: WorkResult) => {
    const crash = result.crash ? [diag(result.file, 0, 'error', 'build/crash', `the renderer failed (a bug): ${result.crash.split('\n')[0]}`)] : [];
    reports.set(result.file, { file: result.file, slug: result.slug, ok: result.ok && !result.crash, skipped: false, diagnostics: [...result.diagnostics, ...crash] });
    const hash = hashes.get(result.file);
    if (result.ok && result.slug && hash) next.entries[result.file] = { hash, slug: result.slug, diagnostics: result.diagnostics };
    else delete next.entries[result.file];
  };

  const useWorkers = options.workers ?? work.length >= WORKER_THRESHOLD;
  if (useWorkers && work.length > 0) {
    await renderInWorkers(work, sources, record);
  } else if (work.length > 0) {
    const { buildIssue, setupFromSources } = await import('./render-stack.ts');
    setup ??= setupFromSources(sources);
    for (const item of work) {
      try {
        const built = await buildIssue(item.file, item.source, setup.config, setup.templates, setup.files);
        if (built.outputs && built.slug) await writeIssueOutputs(outDir, built.slug, built.outputs, built.webPage, built.assets, root);
        record({ file: item.file, slug: built.slug, ok: built.ok, diagnostics: built.diagnostics });
      } catch (error) {
        record({ file: item.file, slug: null, ok: false, diagnostics: [], crash: (error as Error).stack ?? String(error) });
      }
    }
  }

  // Two issues with one slug would overwrite each other's output and web page. Issues outside this build (`build
  // <file>`) count too, by the slug their last build recorded, while their file exists. Every owner loses its
  // manifest entry: the output folder may hold another owner's files now, so each renders again next time.
  const bySlug = new Map<string, string[]>();
  const claim = (slug: string, file: string) => bySlug.set(slug, [...(bySlug.get(slug) ?? []), file]);
  for (const r of reports.values()) if (r.slug) claim(r.slug, r.file);
  for (const [file, entry] of Object.entries(manifest.entries)) {
    if (reports.has(file)) continue;
    if (existsSync(join(root, file))) claim(entry.slug, file);
    else delete next.entries[file]; // the issue was deleted or renamed: its outputs go below
  }
  for (const [slug, owners] of bySlug) {
    if (owners.length < 2) continue;
    for (const file of owners) {
      diagnostics.push(diag(file, 0, 'error', 'build/duplicate-slug', `slug "${slug}" is also used by ${owners.filter((o) => o !== file).join(', ')}; set a distinct "slug"`));
      const report = reports.get(file);
      if (report) report.ok = false;
      delete next.entries[file];
    }
  }

  await writeManifest(outDir, next);
  // The archive index, feed and sitemap list every issue, so they are redone whenever any issue was.
  // Outputs of a slug no issue has any more (a deleted issue, a changed slug) are removed: a deleted issue must not
  // stay published on the web.
  const current = new Set(Object.values(next.entries).map((e) => e.slug));
  for (const r of reports.values()) if (r.slug) current.add(r.slug);
  const retired = [...new Set(Object.values(manifest.entries).map((e) => e.slug))].filter((slug) => !current.has(slug));
  for (const slug of retired) {
    await rm(join(outDir, slug), { recursive: true, force: true });
    await rm(join(outDir, 'web', slug), { recursive: true, force: true });
  }
  if (work.length > 0 || retired.length > 0 || !existsSync(join(outDir, 'web', 'index.html'))) {
    const { setupFromSources, writeSite } = await import('./render-stack.ts');
    const { config, templates } = (setup ??= setupFromSources(sources));
    try {
      await writeSite(outDir, [...new Set(Object.values(next.entries).map((e) => e.slug))], config, templates);
    } catch (error) {
      const located = error as { toDiagnostic?: () => Diagnostic };
      if (typeof located.toDiagnostic !== 'function') throw error;
      diagnostics.push(located.toDiagnostic());
    }
  }
  const issues = files.map((f) => reports.get(f)!).filter(Boolean);
  return { issues, diagnostics, ok: issues.every((r) => r.ok && !hasErrors(r.diagnostics)) && !hasErrors(diagnostics) };
}
