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

function locate(error: unknown, file: string): TemplateError {
  if (error instanceof TemplateError) return error;
  const e = error as Error & { lineNumber?: number };
  const fromMessage = /(?:line (\d+)|- (\d+):\d+$)/.exec(e.message);
  const line = e.lineNumber ?? Number(fromMessage?.[1] ?? fromMessage?.[2] ?? 0);
  let message = e.message.split('\n')[0]!.replace(/ - \d+:\d+$/, '');
  const missing = /^"(.+)" not defined in/.exec(message);
  if (missing) message = `unknown field {{${missing[1]}}} (the template names a value the renderer does not provide)`;
  return new TemplateError(file, line, message);
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
          compiled ??= this.hbs.compile(partial.source, { strict: true, preventIndent: true }) as Compiled;
          return (compiled as (c: unknown, o: unknown) => string)(context, options);
        } catch (error) {
          throw locate(error, partial.file);
        }
      }) as unknown as Handlebars.Template);
    }
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

  /** Renders a layout by name; throws a TemplateError naming the file and line of any failure. */
  render(name: string, context: unknown): string {
    const layout = this.layoutFile(name);
    if (!layout) throw new TemplateError('templates/layouts', 0, `unknown layout "${name}"`);
    let compiled = this.layouts.get(name);
    try {
      if (!compiled) {
        compiled = this.hbs.compile(layout.source, { strict: true, preventIndent: true }) as Compiled;
        this.layouts.set(name, compiled);
      }
      return compiled(context);
    } catch (error) {
      throw locate(error, layout.file);
    }
  }
}
