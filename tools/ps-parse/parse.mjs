// Usage: node --liftoff-only parse.mjs FILE...   (or "-" to read one script from stdin)
// Prints one line per problem (file:line:column: ERROR|MISSING node) and exits 1 when any file has one.
import { readFileSync } from 'node:fs';
import { powershellParser } from './grammar.mjs';

const parser = await powershellParser();

let problems = 0;
for (const file of process.argv.slice(2)) {
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  const tree = parser.parse(text);
  const walk = (node) => {
    if (node.isError || node.isMissing) {
      problems++;
      const p = node.startPosition;
      console.log(`${file}:${p.row + 1}:${p.column + 1}: ${node.isMissing ? 'MISSING ' + node.type : 'ERROR'}: ${text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 60)).replace(/\n/g, '\\n')}`);
      return;
    }
    for (let i = 0; i < node.childCount; i++) walk(node.child(i));
  };
  if (tree.rootNode.hasError) walk(tree.rootNode);
  console.log(`${file}: ${tree.rootNode.hasError ? 'errors' : 'ok'}`);
}
process.exit(problems > 0 ? 1 : 0);
