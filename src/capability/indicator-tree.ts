export const INDICATOR_KINDS = ['measured', 'assessed'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

export const MEASURED_SOURCES = [
  'influence',
  'update_frequency',
  'days_without_update',
  'timeliness',
  'menu_presence',
] as const;
export type MeasuredSource = (typeof MEASURED_SOURCES)[number];

// Loose on purpose: trees arrive as stored JSON per edition, so the validator checks the shape.
export interface IndicatorNode {
  code: string;
  name: string;
  weight: number;
  children?: readonly IndicatorNode[];
  kind?: IndicatorKind;
  source?: MeasuredSource;
}

export interface IndicatorTree {
  code: string;
  name: string;
  children: readonly IndicatorNode[];
}

export interface IndicatorTreeError {
  path: string;
  message: string;
}

export interface LeafWeight {
  code: string;
  name: string;
  path: string;
  weight: number;
  kind: IndicatorKind | undefined;
  source: MeasuredSource | undefined;
}

export interface NodeScore {
  code: string;
  name: string;
  path: string;
  depth: number;
  effectiveWeight: number;
  score: number | null;
  // 得分: the node's share of the 100-point total, as the seeds report it (服务供给能力 25.30 of 40).
  points: number | null;
}

export interface TreeScore {
  total: number | null;
  nodes: NodeScore[];
  missing: string[];
  invalid: string[];
  unknown: string[];
}

export const WEIGHT_TOLERANCE = 1e-6;

export function validateIndicatorTree(tree: IndicatorTree): IndicatorTreeError[] {
  const errors: IndicatorTreeError[] = [];
  const seen = new Map<string, string>();
  const rootPath = tree.code || '(root)';
  if (!tree.code) errors.push({ path: rootPath, message: 'give the tree a code' });
  if (!tree.name) errors.push({ path: rootPath, message: 'give the tree a name' });
  if (tree.code) seen.set(tree.code, rootPath);
  checkSiblings(tree.children, rootPath, errors);

  const visit = (node: IndicatorNode, parentPath: string): void => {
    const path = `${parentPath}/${node.code || '?'}`;
    const add = (message: string): void => void errors.push({ path, message });
    if (!node.code) add('give the node a code');
    else if (seen.has(node.code)) add(`code "${node.code}" is also used at ${seen.get(node.code)}`);
    else seen.set(node.code, path);
    if (!node.name) add('give the node a (Chinese) name');
    if (!Number.isFinite(node.weight) || node.weight <= 0 || node.weight > 1) {
      add(`weight ${node.weight} is outside (0, 1]: enter it as a fraction, 30% as 0.3`);
    }
    if (node.children !== undefined) {
      if (node.kind !== undefined) add('remove kind: only leaves are measured or assessed');
      if (node.source !== undefined) add('remove source: only measured leaves have one');
      checkSiblings(node.children, path, errors);
      for (const child of node.children) visit(child, path);
      return;
    }
    if (node.kind === undefined || !INDICATOR_KINDS.includes(node.kind)) {
      add(`set kind to one of ${INDICATOR_KINDS.join(', ')}`);
    } else if (node.kind === 'measured') {
      if (node.source === undefined || !MEASURED_SOURCES.includes(node.source)) {
        add(`set source of a measured leaf to one of ${MEASURED_SOURCES.join(', ')}`);
      }
    } else if (node.source !== undefined) {
      add('remove source or make the leaf measured: assessed leaves are entered by evaluators');
    }
  };
  for (const child of tree.children) visit(child, rootPath);
  return errors;
}

function checkSiblings(
  children: readonly IndicatorNode[],
  path: string,
  errors: IndicatorTreeError[],
): void {
  if (children.length === 0) {
    errors.push({ path, message: 'add children or drop the children list to make it a leaf' });
    return;
  }
  const sum = children.reduce((s, c) => s + c.weight, 0);
  if (Math.abs(sum - 1) > WEIGHT_TOLERANCE) {
    errors.push({
      path,
      message: `weights of the children sum to ${round6(sum)}: adjust them so they sum to 1`,
    });
  }
}

export function leafWeights(tree: IndicatorTree): LeafWeight[] {
  const out: LeafWeight[] = [];
  walk(tree, (node, path, weight) => {
    if (node.children === undefined) {
      out.push({
        code: node.code,
        name: node.name,
        path,
        weight,
        kind: node.kind,
        source: node.source,
      });
    }
  });
  return out;
}

export function scoreTree(
  tree: IndicatorTree,
  leafScores: Readonly<Record<string, number>>,
): TreeScore {
  const nodes: NodeScore[] = [];
  const missing: string[] = [];
  const invalid: string[] = [];
  const leafCodes = new Set<string>();

  const score = (
    node: IndicatorNode,
    path: string,
    depth: number,
    effective: number,
  ): number | null => {
    const slot: NodeScore = {
      code: node.code,
      name: node.name,
      path,
      depth,
      effectiveWeight: effective,
      score: null,
      points: null,
    };
    nodes.push(slot);
    let value: number | null;
    if (node.children === undefined) {
      leafCodes.add(node.code);
      const raw = Object.hasOwn(leafScores, node.code) ? leafScores[node.code] : undefined;
      if (raw === undefined) missing.push(node.code);
      else if (!Number.isFinite(raw) || raw < 0 || raw > 100) invalid.push(node.code);
      value = raw !== undefined && Number.isFinite(raw) && raw >= 0 && raw <= 100 ? raw : null;
    } else {
      value = weightedMean(node.children, (c) =>
        score(c, `${path}/${c.code}`, depth + 1, effective * c.weight),
      );
    }
    slot.score = value;
    slot.points = value === null ? null : value * effective;
    return value;
  };

  const total = weightedMean(tree.children, (c) => score(c, `${tree.code}/${c.code}`, 1, c.weight));
  const unknown = Object.keys(leafScores).filter((code) => !leafCodes.has(code));
  return { total, nodes, missing, invalid, unknown };
}

// A node is scored only when every child is: a gap must stay visible, never count as zero.
function weightedMean(
  children: readonly IndicatorNode[],
  scoreOf: (child: IndicatorNode) => number | null,
): number | null {
  let sum = 0;
  let weights = 0;
  let complete = true;
  for (const child of children) {
    const s = scoreOf(child);
    if (s === null) complete = false;
    else {
      sum += s * child.weight;
      weights += child.weight;
    }
  }
  return complete && weights > 0 ? sum / weights : null;
}

function walk(
  tree: IndicatorTree,
  fn: (node: IndicatorNode, path: string, effectiveWeight: number) => void,
): void {
  const visit = (node: IndicatorNode, path: string, weight: number): void => {
    fn(node, path, weight);
    for (const child of node.children ?? [])
      visit(child, `${path}/${child.code}`, weight * child.weight);
  };
  for (const child of tree.children) visit(child, `${tree.code}/${child.code}`, child.weight);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
