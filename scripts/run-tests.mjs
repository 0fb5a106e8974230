// Runs the test files with Node's own runner, several files at once. Most tests wait on something real (an SMTP
// peer's reply, a lock held by another process, a child process), so files overlap well even on 2 cores; Node's
// default on such a machine is one file at a time (availableParallelism() - 1).
//   node scripts/run-tests.mjs            every test file (npm test; the CLI bundle must be built first)
//   node scripts/run-tests.mjs --unit     only the files that do not run the `newsletter` binary: no bundle needed
//   node scripts/run-tests.mjs --watch    reruns the affected files on every save (with --unit too)
//   node scripts/run-tests.mjs <files…>   only those files
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
const unit = args.includes('--unit');
const watch = args.includes('--watch');
const named = args.filter((a) => !a.startsWith('--'));

/** A file that runs the bundled binary (bin/newsletter.cjs) needs `npm run build:ts` first. */
const runsBinary = (file) => /\brunCli\(|newsletter\.cjs/.test(readFileSync(file, 'utf8'));

const all = readdirSync('test', { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'support' && d.name !== 'browser')
  .flatMap((d) => readdirSync(`test/${d.name}`).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${d.name}/${f}`))
  .sort();
const files = named.length > 0 ? named : unit ? all.filter((f) => !runsBinary(f)) : all;

const concurrency = Number(process.env.TEST_CONCURRENCY) || Math.max(4, availableParallelism() * 2);
const node = [
  '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
  ...(watch ? ['--watch'] : []),
  `--test-reporter=${process.env.TEST_REPORTER ?? 'spec'}`,
  ...files,
];
const child = spawn(process.execPath, node, { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
