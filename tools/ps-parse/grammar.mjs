// Loads tree-sitter's PowerShell grammar (shared by parse.mjs and lint.mjs).
// Run node with --liftoff-only: without it node spends seconds compiling the wasm at exit. The flag
// is also set here, before the grammar loads, for a run without it.
import { Parser, Language } from 'web-tree-sitter';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');

const require = createRequire(import.meta.url);

/** A tree-sitter parser set to the PowerShell grammar. */
export async function powershellParser() {
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm'));
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
