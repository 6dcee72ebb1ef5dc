// Reads validated values out of a parsed YAML document while collecting every problem with its
// line: nothing is trusted until it has passed through here.
import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import type { ConfigIssue } from '../errors.ts';
import { suggest } from './suggest.ts';

export type YNode = Node | null | undefined;

export class Reader {
  readonly issues: ConfigIssue[] = [];
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  line(node: YNode): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  issue(node: YNode, path: string, message: string): undefined {
    this.issues.push({ file: this.file, line: this.line(node), path, message });
    return undefined;
  }

  expected(node: YNode, path: string, what: string): undefined {
    return this.issue(node, path, `expected ${what}, got ${describe(node)}`);
  }

  /** The pairs of a mapping, with unknown keys reported (with a did-you-mean). */
  entries(map: YAMLMap, path: string, allowed?: readonly string[]): Array<{ key: string; keyNode: YNode; value: YNode }> {
    const out: Array<{ key: string; keyNode: YNode; value: YNode }> = [];
    for (const pair of map.items) {
      const keyNode = pair.key as YNode;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const value = pair.value as YNode;
      if (allowed && !allowed.includes(key)) {
        const best = suggest(key, allowed);
        this.issue(keyNode, join(path, key), `unknown key "${key}"${best ? `; did you mean "${best}"?` : ''}`);
        continue;
      }
      out.push({ key, keyNode, value });
    }
    return out;
  }

  map(node: YNode, path: string): YAMLMap | undefined {
    return isMap(node) ? node : this.expected(node, path, 'a mapping');
  }

  string(node: YNode, path: string, pattern?: RegExp, what = 'a string'): string | undefined {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') return this.expected(node, path, what);
    if (pattern && !pattern.test(node.value)) return this.expected(node, path, what);
    return node.value;
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

  /** A list of strings, or (if allowed) a single string as a one-element list. */
  stringList(node: YNode, path: string, check: (s: string, n: YNode, p: string) => boolean, single = false): string[] | undefined {
    if (single && isScalar(node)) {
      const s = this.string(node, path);
      return s !== undefined && check(s, node, path) ? [s] : undefined;
    }
    if (!isSeq(node) || node.items.length === 0) return this.expected(node, path, single ? 'a name or a non-empty list of names' : 'a non-empty list');
    const out: string[] = [];
    node.items.forEach((item, i) => {
      const s = this.string(item as YNode, `${path}[${i}]`);
      if (s !== undefined && check(s, item as YNode, `${path}[${i}]`)) out.push(s);
    });
    return out.length === node.items.length ? out : undefined;
  }
}

export const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function describe(node: YNode): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'nothing' : JSON.stringify(node.value);
  return 'something else';
}
