import Handlebars from 'handlebars';
import { diag, type Diagnostic } from '../core/diagnostic.ts';
import { didYouMean } from '../core/did-you-mean.ts';
import type { TemplateFile, TemplateSources } from './template-sources.ts';

type Compiled = (context: unknown) => string;

/** A template failure, located in the template file it came from. */
export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
  toDiagnostic(): Diagnostic {
    return diag(this.file, this.line, 'error', 'template/render', this.message);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function locate(error: unknown, template: TemplateFile): TemplateError {
  if (error instanceof TemplateError) return error;
  const e = error as Error & { lineNumber?: number };
  const fromMessage = /(?:line (\d+)|- (\d+):\d+$)/.exec(e.message);
  let line = e.lineNumber ?? Number(fromMessage?.[1] ?? fromMessage?.[2] ?? 0);
  let message = e.message.split('\n')[0]!.replace(/ - \d+:\d+$/, '');
  const missing = /^"(.+)" not defined in/.exec(message);
  if (missing) message = `unknown field {{${missing[1]}}} (the template names a value the renderer does not provide)`;
  // Strict mode looks `{{issue.title.x}}` up with `in` on a string, a TypeError with no location: find the line.
  const onText = /^Cannot use 'in' operator to search for '(.+)' in /.exec(message);
  if (onText) {
    const segment = onText[1]!;
    const uses = new RegExp(`\\{\\{[^}]*?[./]${escapeRegExp(segment)}(?![\\w-])`);
    line = template.source.split('\n').findIndex((l) => uses.test(l)) + 1;
    message = `unknown field "${segment}": the template reads it from a value that is text or a number, which has no fields`;
  }
  return new TemplateError(template.file, line, message);
}

type Node = { type?: unknown; loc?: { start: { line: number } } } & Record<string, unknown>;

/** Names declared with `{{#*inline "name"}}` anywhere in a template. */
function inlinePartials(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const child of node) inlinePartials(child, out);
    return out;
  }
  if (node === null || typeof node !== 'object') return out;
  const n = node as Node;
  if (n.type === 'DecoratorBlock') {
    const path = n.path as { original?: unknown } | undefined;
    const param = (n.params as { value?: unknown }[] | undefined)?.[0];
    if (path?.original === 'inline' && typeof param?.value === 'string') out.add(param.value);
  }
  for (const key of ['body', 'program', 'inverse']) if (key in n) inlinePartials(n[key], out);
  return out;
}

/** Every partial reference in a parsed template, with its name (null for a dynamic `{{> (expr)}}`) and line. */
function partialRefs(node: unknown, out: { name: string | null; line: number }[] = []): { name: string | null; line: number }[] {
  if (Array.isArray(node)) {
    for (const child of node) partialRefs(child, out);
    return out;
  }
  if (node === null || typeof node !== 'object') return out;
  const n = node as Node;
  if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') {
    const name = n.name as { type: string; original?: unknown; value?: unknown };
    const literal = name.type === 'PathExpression' ? name.original : name.type === 'SubExpression' ? null : name.value;
    out.push({ name: literal === null ? null : String(literal), line: n.loc?.start.line ?? 0 });
  }
  for (const key of ['body', 'program', 'inverse']) if (key in n) partialRefs(n[key], out);
  return out;
}

/**
 * Handlebars layouts and partials in an isolated environment. Partials come only from the files read from
 * `templates/partials/`, registered by name: `{{> ../../etc/passwd}}` finds nothing, and nothing is read on demand.
 * Strict mode makes an unknown field an error; prototype access stays at Handlebars' safe default.
 */
export class TemplateSet {
  private readonly hbs = Handlebars.create();
  private readonly layouts = new Map<string, Compiled>();

  constructor(readonly sources: TemplateSources) {
    for (const [name, partial] of Object.entries(sources.partials)) {
      let compiled: Compiled | undefined;
      this.hbs.registerPartial(name, ((context: unknown, options: { data?: unknown; helpers?: unknown; partials?: unknown }) => {
        try {
          compiled ??= this.compile(partial);
          return (compiled as (c: unknown, o: unknown) => string)(context, options);
        } catch (error) {
          throw locate(error, partial);
        }
      }) as unknown as Handlebars.Template);
    }
  }

  /**
   * Parses and compiles one template. A partial reference is checked against the loaded partials before anything
   * runs, so `{{> ../../etc/passwd}}`, `{{> sub/x}}` or a typo is an error at its own line, not a runtime failure
   * with no location; dynamic partial names are refused for the same reason.
   */
  private compile(t: TemplateFile): Compiled {
    const ast = this.hbs.parse(t.source);
    let inline: Set<string> | undefined;
    for (const ref of partialRefs(ast)) {
      if (ref.name === null) {
        throw new TemplateError(t.file, ref.line, 'dynamic partial names ({{> (…)}}) are not allowed: name a partial from templates/partials/');
      }
      if (ref.name === '@partial-block' || Object.hasOwn(this.sources.partials, ref.name)) continue;
      if ((inline ??= this.inlineNames()).has(ref.name)) continue;
      const names = Object.keys(this.sources.partials).sort();
      const suggestion = didYouMean(ref.name, names);
      throw new TemplateError(
        t.file,
        ref.line,
        `unknown partial {{> ${ref.name}}}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: partials are the files in templates/partials/: ${names.join(', ') || 'none'}`,
      );
    }
    return this.hbs.compile(ast, { strict: true, preventIndent: true }) as Compiled;
  }

  private inline: Set<string> | undefined;

  /** Inline partials (`{{#*inline "name"}}`) declared in any template: a layout's are visible in its partials. */
  private inlineNames(): Set<string> {
    if (!this.inline) {
      this.inline = new Set();
      for (const t of [...Object.values(this.sources.layouts), ...Object.values(this.sources.partials)]) {
        try {
          inlinePartials(this.hbs.parse(t.source), this.inline);
        } catch {
          // A template that does not parse reports its own error when it is compiled.
        }
      }
    }
    return this.inline;
  }

  layoutNames(): string[] {
    return Object.keys(this.sources.layouts).sort();
  }

  layoutFile(name: string): TemplateFile | undefined {
    return Object.hasOwn(this.sources.layouts, name) ? this.sources.layouts[name] : undefined;
  }

  /** The error for an issue that names a layout that does not exist, with the closest name. */
  unknownLayout(name: string, issueFile: string, line: number): Diagnostic {
    const suggestion = didYouMean(name, this.layoutNames());
    return diag(
      issueFile,
      line,
      'error',
      'front-matter/layout',
      `unknown layout "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; layouts in templates/layouts/: ${this.layoutNames().join(', ') || 'none'}`,
      'layout',
    );
  }

  private readonly webPages = new Map<string, Compiled>();
  private webHbsInstance: typeof Handlebars | undefined;

  /** The web pages' own environment: `templates/web/_name.hbs` files are its partials, `{{> name}}`. */
  private get webHbs(): typeof Handlebars {
    if (!this.webHbsInstance) {
      this.webHbsInstance = Handlebars.create();
      for (const [name, t] of Object.entries(this.sources.web ?? {})) {
        if (name.startsWith('_')) this.webHbsInstance.registerPartial(name.slice(1), t.source);
      }
    }
    return this.webHbsInstance;
  }

  /** Renders a web page template (`templates/web/<name>.hbs`); throws a TemplateError naming the file and line. */
  renderWeb(name: string, context: unknown): string {
    const t = this.sources.web && Object.hasOwn(this.sources.web, name) ? this.sources.web[name] : undefined;
    if (!t) throw new TemplateError(`templates/web/${name}.hbs`, 0, `the web template templates/web/${name}.hbs is missing`);
    try {
      let compiled = this.webPages.get(name);
      if (!compiled) {
        compiled = this.webHbs.compile(t.source, { strict: true }) as Compiled;
        this.webPages.set(name, compiled);
      }
      return compiled(context);
    } catch (error) {
      throw locate(error, t);
    }
  }

  /** Renders a layout by name; throws a TemplateError naming the file and line of any failure. */
  render(name: string, context: unknown): string {
    const layout = this.layoutFile(name);
    if (!layout) throw new TemplateError('templates/layouts', 0, `unknown layout "${name}"`);
    let compiled = this.layouts.get(name);
    try {
      if (!compiled) {
        compiled = this.compile(layout);
        this.layouts.set(name, compiled);
      }
      return compiled(context);
    } catch (error) {
      throw locate(error, layout);
    }
  }
}
