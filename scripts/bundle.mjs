// Bundles the CLI into lib/ so `newsletter` starts fast: three files instead of hundreds of modules. The render
// stack (MJML, Markdown, Handlebars, …) is a bundle of its own, required only when something is rendered, so an
// unchanged rebuild never loads it. Type checking is separate (`npm run typecheck`); this only transpiles.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';

/**
 * Imports of the render stack, and the CLI's imports of its commands, stay imports, each of a bundle of its own:
 * `newsletter build` with nothing to render loads neither MJML nor the servers, the mailer or SQLite.
 */
const loadedApart = {
  name: 'loaded-apart',
  setup(b) {
    b.onResolve({ filter: /render-stack\.ts$/ }, (args) =>
      args.kind === 'entry-point' ? undefined : { path: './render-stack.cjs', external: true },
    );
    b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.ts$/ }, (args) =>
      args.importer.endsWith('main.ts') ? { path: `./cmd-${args.path.slice('./commands/'.length, -3)}.cjs`, external: true } : undefined,
    );
  },
};

const commands = (await readdir(new URL('../src/cli/commands', import.meta.url))).filter((f) => f.endsWith('.ts'));

await rm(new URL('../lib', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    cli: 'src/cli/main.ts',
    'render-stack': 'src/build/render-stack.ts',
    'render-worker': 'src/build/render-worker.ts',
    ...Object.fromEntries(commands.map((f) => [`cmd-${f.slice(0, -3)}`, `src/cli/commands/${f}`])),
  },
  outdir: 'lib',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  // CommonJS: Node 20 loads one big CommonJS file faster than the same code as ES modules.
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [loadedApart],
  // import() of the render stack becomes require(): an ES import of a CommonJS file costs a scan of all of it.
  supported: { 'dynamic-import': false },
  // Loaded only on paths the pipeline never takes (TypeScript config files, fetching URLs), or native (SQLite);
  // left to node_modules.
  external: ['typescript', 'undici', 'better-sqlite3'],
  // CommonJS output has no import.meta; code that uses import.meta.url gets its bundle file's URL.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// Outputs built by another renderer are rebuilt, not skipped as unchanged (src/build/renderer-fingerprint.ts).
const stack = await readFile(new URL('../lib/render-stack.cjs', import.meta.url));
const fingerprint = createHash('sha256').update(stack).digest('hex');
await writeFile(new URL('../lib/renderer-fingerprint.txt', import.meta.url), `${fingerprint}\n`);
