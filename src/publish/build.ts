import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { diag, hasErrors, type Diagnostic } from '../core/diagnostic.ts';
import { readManifest, RENDERER_VERSION, sha256, writeManifest, type Manifest } from './manifest.ts';
import { issueReadProblem, readIssueFile } from '../project/issue-file.ts';
import { rendererFingerprint } from './renderer-fingerprint.ts';
import { writeIssueOutputs } from './outputs.ts';
import { renderInWorkers, WORKER_THRESHOLD } from './pool.ts';
import type { BuildSetup, BuildSources, WorkItem, WorkResult } from '../project/setup.ts';
import { linkWarnings, listIssueFiles, readBuildSources } from '../project/sources.ts';

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
    const { buildIssue, setupFromSources } = await import('../project/render-stack.ts');
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
    const { setupFromSources, writeSite } = await import('../project/render-stack.ts');
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
