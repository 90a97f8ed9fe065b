#!/usr/bin/env node
// The `lore` command. The TypeScript sources are compiled to dist/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('lore: the compiled code is missing (dist/). Run `npm install` or `npm run build` in the Lore folder.\n');
  process.exit(70);
}
// `lore search … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
// Commands close what they open; this only guards against a native library (llama.cpp threads, a worker)
// keeping the process alive after the work is done. An unref'd timer fires only if something else is alive.
setTimeout(() => process.exit(process.exitCode), 3000).unref();
