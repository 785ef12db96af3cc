import { describe, expect, it } from 'vitest';
import {
  leafWeights,
  scoreTree,
  validateIndicatorTree,
  type IndicatorNode,
  type IndicatorTree,
} from './indicator-tree';

const buildTree = (children: IndicatorNode[]): IndicatorTree => ({
  code: 't',
  name: '测试',
  children,
});

const TREE = buildTree([
  {
    code: 'a',
    name: '甲',
    weight: 0.6,
    children: [
      { code: 'a1', name: '甲一', weight: 0.5, kind: 'measured', source: 'influence' },
      { code: 'a2', name: '甲二', weight: 0.5, kind: 'assessed' },
    ],
  },
  { code: 'b', name: '乙', weight: 0.4, kind: 'assessed' },
]);

describe('validateIndicatorTree', () => {
  it('accepts a well-formed tree', () => {
    expect(validateIndicatorTree(TREE)).toEqual([]);
  });

  it('accepts sibling sums within 1e-6 of 1', () => {
    const tree = buildTree([
      { code: 'x', name: '一', weight: 1 / 3, kind: 'assessed' },
      { code: 'y', name: '二', weight: 1 / 3, kind: 'assessed' },
      { code: 'z', name: '三', weight: 0.3333334, kind: 'assessed' },
    ]);
    expect(validateIndicatorTree(tree)).toEqual([]);
  });

  it('reports each fault with the node path and what to do', () => {
    const tree = buildTree([
      {
        code: 'a',
        name: '甲',
        weight: 0.5,
        kind: 'assessed',
        children: [
          { code: 'a1', name: '甲一', weight: 0.7, kind: 'measured' },
          { code: 'b', name: '', weight: 0.2, kind: 'assessed', source: 'timeliness' },
        ],
      },
      { code: 'b', name: '乙', weight: 1.5 },
      { code: 'c', name: '丙', weight: 0, children: [] },
    ]);
    expect(validateIndicatorTree(tree)).toEqual([
      { path: 't', message: 'weights of the children sum to 2: adjust them so they sum to 1' },
      { path: 't/a', message: 'remove kind: only leaves are measured or assessed' },
      { path: 't/a', message: 'weights of the children sum to 0.9: adjust them so they sum to 1' },
      {
        path: 't/a/a1',
        message:
          'set source of a measured leaf to one of influence, update_frequency, days_without_update, timeliness, menu_presence',
      },
      { path: 't/a/b', message: 'give the node a (Chinese) name' },
      {
        path: 't/a/b',
        message:
          'remove source or make the leaf measured: assessed leaves are entered by evaluators',
      },
      { path: 't/b', message: 'code "b" is also used at t/a/b' },
      { path: 't/b', message: 'weight 1.5 is outside (0, 1]: enter it as a fraction, 30% as 0.3' },
      { path: 't/b', message: 'set kind to one of measured, assessed' },
      { path: 't/c', message: 'weight 0 is outside (0, 1]: enter it as a fraction, 30% as 0.3' },
      { path: 't/c', message: 'add children or drop the children list to make it a leaf' },
    ]);
  });

  it('rejects a tree without children', () => {
    expect(validateIndicatorTree(buildTree([])).map((e) => e.path)).toEqual(['t']);
  });
});

describe('leafWeights', () => {
  it('multiplies weights down the path', () => {
    expect(leafWeights(TREE)).toEqual([
      {
        code: 'a1',
        name: '甲一',
        path: 't/a/a1',
        weight: 0.3,
        kind: 'measured',
        source: 'influence',
      },
      {
        code: 'a2',
        name: '甲二',
        path: 't/a/a2',
        weight: 0.3,
        kind: 'assessed',
        source: undefined,
      },
      { code: 'b', name: '乙', path: 't/b', weight: 0.4, kind: 'assessed', source: undefined },
    ]);
  });
});

describe('scoreTree', () => {
  it('scores every node 0–100 and gives its points of the total', () => {
    const result = scoreTree(TREE, { a1: 80, a2: 60, b: 50 });
    expect(result.total).toBeCloseTo(0.6 * 70 + 0.4 * 50, 10);
    expect(result.missing).toEqual([]);
    const a = result.nodes.find((n) => n.code === 'a')!;
    expect(a.score).toBeCloseTo(70, 10);
    expect(a.points).toBeCloseTo(42, 10);
    expect(a.depth).toBe(1);
    expect(result.nodes.map((n) => n.path)).toEqual(['t/a', 't/a/a1', 't/a/a2', 't/b']);
  });

  it('reports a missing leaf and leaves its ancestors unscored, never zero', () => {
    const result = scoreTree(TREE, { a1: 80, b: 50 });
    expect(result.missing).toEqual(['a2']);
    expect(result.total).toBeNull();
    expect(result.nodes.find((n) => n.code === 'a')!.score).toBeNull();
    expect(result.nodes.find((n) => n.code === 'b')!.score).toBe(50);
  });

  it('reports scores outside 0–100 and codes the tree does not have', () => {
    const result = scoreTree(TREE, { a1: 120, a2: Number.NaN, b: 50, zz: 10 });
    expect(result.invalid).toEqual(['a1', 'a2']);
    expect(result.unknown).toEqual(['zz']);
    expect(result.total).toBeNull();
  });
});
