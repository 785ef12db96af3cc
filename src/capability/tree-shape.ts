import {
  MEASURED_SOURCES,
  type IndicatorNode,
  type IndicatorTree,
  type IndicatorTreeError,
  type MeasuredSource,
  validateIndicatorTree,
} from './indicator-tree';

/** Measured sources this system computes from stored data (menu_presence: menu snapshots). */
export const COMPUTED_SOURCES: readonly MeasuredSource[] = [
  'influence',
  'update_frequency',
  'days_without_update',
  'timeliness',
  'menu_presence',
];

// Codes travel in CSV cells and URLs.
const CODE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const MAX_DEPTH = 6;
const MAX_NODES = 500;
const MAX_NAME_LENGTH = 100;
const ROOT_KEYS = new Set(['code', 'name', 'children']);
const NODE_KEYS = new Set(['code', 'name', 'weight', 'children', 'kind', 'source']);

export type TreeParse =
  { tree: IndicatorTree; errors: [] } | { tree: null; errors: IndicatorTreeError[] };

/**
 * Checks untrusted JSON against the tree's shape (types, known fields, sizes, code format) before
 * the weight rules of validateIndicatorTree, so every problem comes back with its path at once.
 */
export function parseIndicatorTree(input: unknown): TreeParse {
  const errors: IndicatorTreeError[] = [];
  let nodes = 0;
  if (!isObject(input)) {
    return { tree: null, errors: [{ path: '(root)', message: 'send the tree as a JSON object' }] };
  }
  const rootPath = typeof input.code === 'string' && input.code ? input.code : '(root)';
  const add = (path: string, message: string): void => void errors.push({ path, message });
  checkKeys(input, ROOT_KEYS, rootPath, add);
  checkText(input, 'code', rootPath, add, true);
  checkText(input, 'name', rootPath, add, false);

  const visitChildren = (value: unknown, path: string, depth: number): IndicatorNode[] => {
    if (!Array.isArray(value)) {
      add(path, 'children must be a list of nodes');
      return [];
    }
    return value.map((child: unknown, index) => visit(child, path, index, depth));
  };

  const visit = (
    value: unknown,
    parentPath: string,
    index: number,
    depth: number,
  ): IndicatorNode => {
    nodes++;
    if (!isObject(value)) {
      add(`${parentPath}/[${index}]`, 'each node must be a JSON object');
      return { code: '', name: '', weight: Number.NaN };
    }
    const code = typeof value.code === 'string' && value.code ? value.code : `[${index}]`;
    const path = `${parentPath}/${code}`;
    checkKeys(value, NODE_KEYS, path, add);
    checkText(value, 'code', path, add, true);
    checkText(value, 'name', path, add, false);
    if (typeof value.weight !== 'number') add(path, 'weight must be a number (30% as 0.3)');
    for (const field of ['kind', 'source'] as const) {
      if (value[field] !== undefined && typeof value[field] !== 'string') {
        add(path, `${field} must be a string`);
      }
    }
    const node: IndicatorNode = {
      code: typeof value.code === 'string' ? value.code : '',
      name: typeof value.name === 'string' ? value.name : '',
      weight: typeof value.weight === 'number' ? value.weight : Number.NaN,
      ...(typeof value.kind === 'string' ? { kind: value.kind as IndicatorNode['kind'] } : {}),
      ...(typeof value.source === 'string'
        ? { source: value.source as IndicatorNode['source'] }
        : {}),
    };
    if (value.children !== undefined) {
      if (depth >= MAX_DEPTH) add(path, `the tree is deeper than ${MAX_DEPTH} levels`);
      else node.children = visitChildren(value.children, path, depth + 1);
    } else if (
      node.kind === 'measured' &&
      node.source !== undefined &&
      MEASURED_SOURCES.includes(node.source) &&
      !COMPUTED_SOURCES.includes(node.source)
    ) {
      add(
        path,
        `source ${node.source} is not measured by this system yet (${COMPUTED_SOURCES.join(', ')} are): make the leaf assessed`,
      );
    }
    return node;
  };

  const children =
    input.children === undefined
      ? (add(rootPath, 'add children: the first-level indicators'), [])
      : visitChildren(input.children, rootPath, 1);
  if (nodes > MAX_NODES) add(rootPath, `the tree has ${nodes} nodes; the limit is ${MAX_NODES}`);
  if (errors.length > 0) return { tree: null, errors };

  const tree: IndicatorTree = {
    code: input.code as string,
    name: input.name as string,
    children,
  };
  const ruleErrors = validateIndicatorTree(tree);
  return ruleErrors.length > 0 ? { tree: null, errors: ruleErrors } : { tree, errors: [] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(
  value: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  path: string,
  add: (path: string, message: string) => void,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) add(path, `unknown field ${key}; expected ${[...allowed].join(', ')}`);
  }
}

function checkText(
  value: Record<string, unknown>,
  field: 'code' | 'name',
  path: string,
  add: (path: string, message: string) => void,
  isCode: boolean,
): void {
  const text = value[field];
  if (typeof text !== 'string' || text.trim() === '') {
    add(path, `${field} must be a non-empty string`);
  } else if (isCode && !CODE_PATTERN.test(text)) {
    add(path, `code "${text}" must be a letter then letters, digits or _ (at most 40)`);
  } else if (!isCode && text.length > MAX_NAME_LENGTH) {
    add(path, `name is longer than ${MAX_NAME_LENGTH} characters`);
  }
}
