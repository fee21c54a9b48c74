// Runs a criterion benchmark compiled for wasm32-wasip1 in Node's V8 (the engine Chromium uses),
// so core's figures can be compared natively and in wasm. Used by scripts/bench/core-wasm.
//
//   node scripts/bench/wasi.mjs <bench.wasm> [criterion args...]
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/bench/wasi.mjs <bench.wasm> [criterion args...]');
  process.exit(2);
}
const home = await mkdtemp(join(tmpdir(), 'criterion-wasi-'));
const wasi = new WASI({
  version: 'preview1',
  args: [file, '--bench', ...args],
  env: { CRITERION_HOME: '/criterion' },
  preopens: { '/criterion': home },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
