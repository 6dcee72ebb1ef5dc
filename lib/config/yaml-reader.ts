// Reads validated values out of a parsed YAML document while collecting every problem with its
// line: nothing is trusted until it has passed through here. Every check reports and returns
// undefined instead of throwing, so one run finds all the issues in a file.
import { isAlias, isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node, type YAMLMap } from 'yaml';
import type { ConfigIssue } from '../errors.ts';
import { suggest } from './suggest.ts';

export type YNode = Node | null | undefined;

export interface Entry {
  key: string;
  keyNode: YNode;
  value: YNode;
}

/** Where a key that is not allowed here does belong, e.g. retention_days -> "database.backup:". */
export type Misplaced = Readonly<Record<string, string>>;

export class Reader {
  readonly issues: ConfigIssue[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines?: LineCounter,
  ) {}

  line(node: YNode): number | undefined {
    const start = node?.range?.[0];
    return start === undefined || !this.lines ? undefined : this.lines.linePos(start).line;
  }

  issue(node: YNode, path: string, message: string): undefined {
    this.issues.push({ file: this.file, line: this.line(node), path, message });
    return undefined;
  }

  expected(node: YNode, path: string, what: string): undefined {
    return this.issue(node, path, `expected ${what}, got ${describe(this.deref(node))}`);
  }

  /** An alias (`*name`) stands for its anchor's node; anything else is itself. */
  deref(node: YNode): YNode {
    return isAlias(node) ? (node.resolve(this.doc) as YNode) : node;
  }

  /** The pairs of a mapping; unknown keys are reported with where they belong or a did-you-mean. */
  entries(map: YAMLMap, path: string, allowed?: readonly string[], misplaced: Misplaced = {}): Entry[] {
    const out: Entry[] = [];
    for (const pair of map.items) {
      const keyNode = pair.key as YNode;
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      const value = this.deref(pair.value as YNode) ?? nullAt(keyNode);
      if (key === undefined) this.expected(keyNode, path, 'a plain key');
      else if (allowed && !allowed.includes(key)) this.unknownKey(keyNode, join(path, key), key, allowed, misplaced);
      else out.push({ key, keyNode, value });
    }
    return out;
  }

  private unknownKey(node: YNode, path: string, key: string, allowed: readonly string[], misplaced: Misplaced): void {
    // hasOwn: a key like "constructor" must not find Object.prototype's.
    const where = Object.hasOwn(misplaced, key) ? misplaced[key] : undefined;
    if (where) return void this.issue(node, path, `"${key}" does not belong here; ${where}`);
    const best = suggest(key, allowed);
    this.issue(node, path, `unknown key "${key}"${best ? `; did you mean "${best}"?` : `; expected one of ${allowed.join(', ')}`}`);
  }

  map(node: YNode, path: string, what = 'a mapping'): YAMLMap | undefined {
    return isMap(node) ? node : this.expected(node, path, what);
  }

  string(node: YNode, path: string, what = 'a string', pattern?: RegExp): string | undefined {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === 'string' && v !== '' && (!pattern || pattern.test(v))) return v;
    // A bare 2024 or true is not text in YAML: say how to make it text.
    const quote = typeof v === 'number' || typeof v === 'boolean' ? ` (quote it to make it text: "${String(v)}")` : '';
    return this.issue(node, path, `expected ${what}, got ${describe(node)}${quote}`);
  }

  bool(node: YNode, path: string): boolean | undefined {
    return isScalar(node) && typeof node.value === 'boolean' ? node.value : this.expected(node, path, 'true or false');
  }

  int(node: YNode, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    return this.expected(node, path, `a whole number ${range}`);
  }

  oneOf<T extends string>(node: YNode, path: string, choices: readonly T[]): T | undefined {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
    return this.expected(node, path, `one of ${choices.join(', ')}`);
  }

  /**
   * A list of strings, each passed through `check` (which reports its own issue); with `single`,
   * a lone string counts as a one-element list. Undefined when anything in it was wrong.
   */
  stringList(node: YNode, path: string, opts: ListOptions): string[] | undefined {
    if (opts.single && isScalar(node) && node.value !== null) return this.listItems([node], path, opts, false);
    if (!isSeq(node) || (node.items.length === 0 && !opts.allowEmpty)) return this.expected(node, path, opts.what);
    return this.listItems(node.items as YNode[], path, opts, true);
  }

  private listItems(items: YNode[], path: string, opts: ListOptions, indexed: boolean): string[] | undefined {
    const out: string[] = [];
    items.forEach((raw, i) => {
      const item = this.deref(raw);
      const ip = indexed ? `${path}[${i}]` : path;
      const s = this.string(item, ip, opts.itemWhat ?? 'a string');
      if (s === undefined || !opts.check(s, item, ip)) return;
      if (out.includes(s)) return void this.issue(item, ip, `"${s}" is listed twice`);
      out.push(s);
    });
    return out.length === items.length ? out : undefined;
  }
}

export interface ListOptions {
  /** What the whole value should be, for "expected …". */
  what: string;
  /** What each item should be, when it is not a string. */
  itemWhat?: string;
  check: (s: string, node: YNode, path: string) => boolean;
  single?: boolean;
  allowEmpty?: boolean;
}

/** A dotted key path; a key that would make it ambiguous (a dot, "..", a space) is quoted. */
export function join(path: string, key: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return path ? `${path}[${JSON.stringify(key)}]` : JSON.stringify(key);
  return path ? `${path}.${key}` : key;
}

/** A key with no value node at all (`{a}`, `? a`): a null placed at the key keeps the line. */
function nullAt(keyNode: YNode): Scalar {
  const s = new Scalar(null);
  if (keyNode?.range) s.range = keyNode.range;
  return s;
}

export function describe(node: YNode): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return node.items.length === 0 ? 'an empty mapping' : 'a mapping';
  if (isSeq(node)) return node.items.length === 0 ? 'an empty list' : 'a list';
  if (isScalar(node)) return node.value === null || node.value === '' ? 'nothing' : JSON.stringify(node.value);
  return 'something else';
}
