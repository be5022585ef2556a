// Loads the tree-sitter-bash grammar (WASM, shipped in the npm package) once per process,
// and hands the analysis each parse as a tree of plain JS objects: every node read once
// from the WASM side, instead of one marshalled call per property the walk asks for.
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { readOwnFile } from './fsview.js';
import type { Language as TSLanguage, Parser as TSParser, Tree as TSTree } from 'web-tree-sitter';

/** The part of a syntax node the analysis uses (web-tree-sitter's Node has the same shape). */
export interface Node {
  readonly id: number;
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly children: (Node | null)[];
  readonly namedChildren: (Node | null)[];
  childForFieldName(name: string): Node | null;
  childrenForFieldName(name: string): (Node | null)[];
  fieldNameForChild(index: number): string | null;
  walk(): TreeCursor;
}

export interface TreeCursor {
  readonly nodeType: string;
  readonly nodeIsNamed: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly currentNode: Node;
  readonly currentFieldName: string | null;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
  delete(): void;
}

export interface Tree {
  readonly rootNode: Node;
  walk(): TreeCursor;
  delete(): void;
}

/**
 * The cursor functions of the tree-sitter WASM module. web-tree-sitter's own TreeCursor
 * copies the cursor into and out of a transfer buffer around each of these calls; a walk
 * that makes no other call in between can leave the cursor in the buffer.
 */
interface RawCursor {
  _ts_init(): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  HEAP32: Int32Array;
}

let parser: TSParser | null = null;
let language: TSLanguage | null = null;
/** The WASM module's cursor functions and transfer buffer, when this web-tree-sitter exposes them. */
let raw: { fns: RawCursor; buffer: number } | null = null;
let loading: Promise<void> | null = null;

/**
 * Loads the grammar. The optimising WASM tier costs ~0.45 s at exit for a one-shot
 * process (DESIGN.md); Liftoff alone keeps a cold `agentguard check` near 0.1 s and
 * parses fast enough for a warm session too.
 */
export function loadParser(): Promise<void> {
  if (parser) return Promise.resolve();
  loading ??= (async () => {
    v8.setFlagsFromString('--liftoff-only');
    const { Parser, Language } = await import('web-tree-sitter');
    const require = createRequire(import.meta.url);
    // Emscripten makes the options object the module itself: its exports land on it.
    const module: Partial<RawCursor> = {};
    await Parser.init(module);
    // The bytes, not the path: given a path, web-tree-sitter imports Node's promise-based fs for it,
    // which starts Node's ES module loader in a cold CommonJS start for one file read.
    const lang = await Language.load(readOwnFile(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')));
    const p = new Parser();
    p.setLanguage(lang);
    const fns = module as RawCursor;
    const needed: (keyof RawCursor)[] = ['_ts_init', '_ts_tree_cursor_goto_first_child_wasm', '_ts_tree_cursor_goto_next_sibling_wasm', '_ts_tree_cursor_goto_parent_wasm', '_ts_tree_cursor_current_node_type_id_wasm', '_ts_tree_cursor_current_node_is_named_wasm', '_ts_tree_cursor_start_index_wasm', '_ts_tree_cursor_end_index_wasm', '_ts_tree_cursor_current_field_id_wasm'];
    // Another web-tree-sitter (or one initialised before this) keeps the public, slower path.
    if (needed.every((k) => typeof fns[k] === 'function') && fns.HEAP32 instanceof Int32Array) raw = { fns, buffer: fns._ts_init() };
    language = lang;
    parser = p;
  })();
  return loading;
}

/** Parses bash source. loadParser() must have completed. */
export function parseBash(source: string): Tree {
  if (!parser || !language) throw new Error('bash parser not loaded: call loadParser() first');
  const tree = parser.parse(source);
  if (!tree) throw new Error('bash parser returned no tree');
  // A tree with a syntax error keeps tree-sitter's own nodes: describing the error needs
  // what is missing and where, and such lines are rare.
  if (!raw || tree.rootNode.hasError) return tree;
  try {
    return flatten(tree, source, raw, language);
  } finally {
    tree.delete();
  }
}

/** Flat trees of code read from files, by source text (bounded; trees are never changed after parsing). */
const shared = new Map<string, Tree>();
const SHARED_MAX = 256;
const SHARED_MAX_SOURCE = 8192;

/**
 * parseBash for code the analysis reads from files on every check (package.json scripts, Makefile
 * recipes, git aliases, script files): the same text gives the same tree, so an
 * error-free one is kept. The command line itself always goes through parseBash.
 */
export function parseBashShared(source: string): Tree {
  const hit = shared.get(source);
  if (hit) return hit;
  const tree = parseBash(source);
  if (tree instanceof FlatTree && source.length <= SHARED_MAX_SOURCE) {
    if (shared.size >= SHARED_MAX) shared.delete(shared.keys().next().value!);
    shared.set(source, tree);
  }
  return tree;
}

/** tree-sitter's own tree and the grammar's field names, for the tests that hold the flat tree to it. */
export function parseBashNative(source: string): { tree: Tree; fields: string[] } {
  if (!parser || !language) throw new Error('bash parser not loaded: call loadParser() first');
  const tree = parser.parse(source);
  if (!tree) throw new Error('bash parser returned no tree');
  return { tree, fields: language.fields.filter((f): f is string => !!f) };
}

/** Every node of an error-free tree, read in one cursor pass straight from the WASM module. */
function flatten(tree: TSTree, source: string, r: { fns: RawCursor; buffer: number }, lang: TSLanguage): Tree {
  const { fns } = r;
  const types = lang.types;
  const fields = lang.fields;
  const address = (tree as unknown as Record<number, number>)[0];
  const cursor = tree.walk();
  const nodes: FlatNode[] = [];
  try {
    // The new cursor is in the transfer buffer now; each call below moves it there.
    const stack: FlatNode[] = [];
    for (;;) {
      const node = new FlatNode(
        nodes.length,
        types[fns._ts_tree_cursor_current_node_type_id_wasm(address)] || 'ERROR',
        fns._ts_tree_cursor_start_index_wasm(address),
        fns._ts_tree_cursor_end_index_wasm(address),
        fns._ts_tree_cursor_current_node_is_named_wasm(address) === 1,
        stack.length ? (fields[fns._ts_tree_cursor_current_field_id_wasm(address)] ?? null) : null,
        source,
      );
      nodes.push(node);
      if (stack.length) stack[stack.length - 1].children.push(node);
      if (fns._ts_tree_cursor_goto_first_child_wasm(address)) {
        stack.push(node);
        continue;
      }
      while (!fns._ts_tree_cursor_goto_next_sibling_wasm(address)) {
        if (!stack.length || !fns._ts_tree_cursor_goto_parent_wasm(address)) return new FlatTree(nodes[0]);
        stack.pop();
      }
    }
  } finally {
    // The cursor object still holds its state from before the walk: give it the current one
    // (its stack may have moved) so that delete() frees what the walk allocated.
    const heap = fns.HEAP32;
    const c = cursor as unknown as Record<number, number>;
    for (let i = 0; i < 4; i++) c[i] = heap[(r.buffer >> 2) + i];
    cursor.delete();
  }
}

class FlatTree implements Tree {
  constructor(readonly rootNode: FlatNode) {}
  walk(): TreeCursor {
    return this.rootNode.walk();
  }
  delete(): void {}
}

/** A node of an error-free tree: nothing in it is missing, and none of it is an error. */
class FlatNode implements Node {
  readonly children: FlatNode[] = [];
  readonly isMissing = false;
  readonly hasError = false;
  private named: FlatNode[] | null = null;
  private textCache: string | null = null;
  constructor(
    readonly id: number,
    readonly type: string,
    readonly startIndex: number,
    readonly endIndex: number,
    readonly isNamed: boolean,
    /** The field this node fills in its parent. */
    readonly fieldName: string | null,
    private source: string,
  ) {}
  get text(): string {
    return (this.textCache ??= this.source.slice(this.startIndex, this.endIndex));
  }
  get namedChildren(): FlatNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }
  childForFieldName(name: string): FlatNode | null {
    for (const c of this.children) if (c.fieldName === name) return c;
    return null;
  }
  childrenForFieldName(name: string): FlatNode[] {
    return this.children.filter((c) => c.fieldName === name);
  }
  fieldNameForChild(index: number): string | null {
    return this.children[index]?.fieldName ?? null;
  }
  walk(): TreeCursor {
    return new FlatCursor(this);
  }
}

/** A cursor over a FlatNode and what is below it (it never leaves that node, as tree-sitter's does not). */
class FlatCursor implements TreeCursor {
  /** The path from the start node: each node and its index among its parent's children. */
  private path: { node: FlatNode; index: number }[];
  constructor(start: FlatNode) {
    this.path = [{ node: start, index: 0 }];
  }
  private get top() {
    return this.path[this.path.length - 1];
  }
  get currentNode(): FlatNode {
    return this.top.node;
  }
  get nodeType(): string {
    return this.top.node.type;
  }
  get nodeIsNamed(): boolean {
    return this.top.node.isNamed;
  }
  get startIndex(): number {
    return this.top.node.startIndex;
  }
  get endIndex(): number {
    return this.top.node.endIndex;
  }
  get currentFieldName(): string | null {
    return this.path.length > 1 ? this.top.node.fieldName : null;
  }
  gotoFirstChild(): boolean {
    const first = this.top.node.children[0];
    if (!first) return false;
    this.path.push({ node: first, index: 0 });
    return true;
  }
  gotoNextSibling(): boolean {
    if (this.path.length < 2) return false;
    const parent = this.path[this.path.length - 2].node;
    const top = this.top;
    const next = parent.children[top.index + 1];
    if (!next) return false;
    this.path[this.path.length - 1] = { node: next, index: top.index + 1 };
    return true;
  }
  gotoParent(): boolean {
    if (this.path.length < 2) return false;
    this.path.pop();
    return true;
  }
  delete(): void {}
}
