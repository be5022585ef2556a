// The flat tree parseBash gives the analysis is tree-sitter's tree: the same nodes, types,
// spans, fields and cursor walk, over every line of the corpora (and a line with a syntax
// error keeps tree-sitter's own nodes).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evasionCommands, routineCases } from '../helpers.js';
import { loadParser, parseBash, parseBashNative, type Node, type Tree } from '../../src/shell/parser.js';

await loadParser();
const root = path.resolve(import.meta.dirname, '../..');

function lines(): string[] {
  const out = fs.readFileSync(path.join(root, 'bench/corpus.txt'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.replace(/\\\\|\\n/g, (m) => (m === '\\n' ? '\n' : '\\')));
  out.push(...routineCases().map((c) => c.command), ...evasionCommands());
  return out;
}

/** Everything the analysis can ask of a node, as text (node ids differ between the two trees; spans say which node). */
function describe_(n: Node, fields: string[]): string[] {
  const at = (x: Node | null) => (x ? `${x.type}@${x.startIndex}-${x.endIndex}` : 'null');
  const out: string[] = [];
  const visit = (x: Node) => {
    const kids = x.children.filter((c): c is Node => !!c);
    out.push(`${at(x)} named=${x.isNamed} missing=${x.isMissing} error=${x.hasError} text=${JSON.stringify(x.text)} kids=${kids.map(at).join(',')} named=${x.namedChildren.map(at).join(',')}`);
    out.push(`fields ${kids.map((_, i) => x.fieldNameForChild(i)).join(',')}`);
    for (const f of fields) {
      const one = x.childForFieldName(f);
      const all = x.childrenForFieldName(f);
      if (one || all.length) out.push(`${f}: ${at(one)} [${all.map(at).join(',')}]`);
    }
    for (const c of kids) visit(c);
  };
  visit(n);
  return out;
}

function walk(t: Tree | Node): string[] {
  const out: string[] = [];
  const c = t.walk();
  try {
    for (;;) {
      out.push(`${c.nodeType} ${c.nodeIsNamed} ${c.startIndex}-${c.endIndex} ${c.currentFieldName} ${c.currentNode.type}`);
      if (c.gotoFirstChild()) continue;
      while (!c.gotoNextSibling()) if (!c.gotoParent()) return out;
    }
  } finally {
    c.delete();
  }
}

describe('parseBash', () => {
  it('gives the analysis the tree tree-sitter parsed', () => {
    let flat = 0;
    for (const source of lines()) {
      const mine = parseBash(source);
      const { tree, fields } = parseBashNative(source);
      try {
        if (mine.rootNode.constructor.name === 'FlatNode') flat++;
        expect(describe_(mine.rootNode, fields), source).toEqual(describe_(tree.rootNode, fields));
        expect(walk(mine), source).toEqual(walk(tree));
        // A cursor from a node below the root stays under it.
        const first = mine.rootNode.namedChildren[0];
        const theirs = tree.rootNode.namedChildren[0];
        if (first && theirs) expect(walk(first), source).toEqual(walk(theirs));
      } finally {
        mine.delete();
        tree.delete();
      }
    }
    // The flat tree is what nearly every line gets.
    expect(flat).toBeGreaterThan(1000);
  });

  it('keeps tree-sitter’s nodes for a line with a syntax error', () => {
    const t = parseBash('if [ x ; then');
    expect(t.rootNode.hasError).toBe(true);
    t.delete();
  });
});
