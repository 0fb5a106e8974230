// Bundles the CLI and the render worker into lib/ so `newsletter` starts fast: one file to load instead of
// hundreds of modules. Type checking is separate (`npm run typecheck`); this only transpiles.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm(new URL('../lib', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts', 'render-worker': 'src/build/render-worker.ts' },
  outdir: 'lib',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Loaded only on paths the pipeline never takes (TypeScript config files, fetching URLs); left to node_modules.
  external: ['typescript', 'undici'],
  // CommonJS output has no import.meta; modules that use import.meta.url get this file's URL.
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
