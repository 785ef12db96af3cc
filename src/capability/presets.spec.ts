import { describe, expect, it } from 'vitest';
import {
  leafWeights,
  scoreTree,
  validateIndicatorTree,
  type IndicatorNode,
} from './indicator-tree';
import { INDICATOR_PRESETS, SEED000_FIVE_CAPABILITIES, SEED001_THREE_LEVEL } from './presets';

const levels = (nodes: readonly IndicatorNode[], depth = 1, out: number[] = []): number[] => {
  for (const node of nodes) {
    out[depth - 1] = (out[depth - 1] ?? 0) + 1;
    if (node.children) levels(node.children, depth + 1, out);
  }
  return out;
};

const allLeaves = (node: IndicatorNode): string[] =>
  node.children ? node.children.flatMap(allLeaves) : [node.code];

describe('indicator presets', () => {
  it('are valid trees under their codes', () => {
    for (const tree of Object.values(INDICATOR_PRESETS)) {
      expect(validateIndicatorTree(tree)).toEqual([]);
    }
    expect(Object.keys(INDICATOR_PRESETS)).toEqual([
      'seed000-five-capabilities',
      'seed001-three-level',
    ]);
  });

  it('seed 000: five sub-capabilities, equal weights, influence measured', () => {
    expect(SEED000_FIVE_CAPABILITIES.children.map((c) => [c.code, c.name, c.weight])).toEqual([
      ['information', '信息服务能力', 0.2],
      ['transaction', '事务服务能力', 0.2],
      ['participation', '参与服务能力', 0.2],
      ['provision', '服务提供能力', 0.2],
      ['influence', '微信影响力', 0.2],
    ]);
    expect(leafWeights(SEED000_FIVE_CAPABILITIES).filter((l) => l.kind === 'measured')).toEqual([
      expect.objectContaining({ code: 'influence', source: 'influence' }),
    ]);
  });

  it('seed 001: 3 first-level, 9 second-level, 31 third-level indicators', () => {
    expect(levels(SEED001_THREE_LEVEL.children)).toEqual([3, 9, 31]);
    expect(SEED001_THREE_LEVEL.children.map((c) => [c.name, c.weight])).toEqual([
      ['服务供给能力', 0.4],
      ['服务响应能力', 0.4],
      ['服务智慧能力', 0.2],
    ]);
  });

  it('seed 001: leaf weights give the maximum points the report prints', () => {
    const byName = new Map(leafWeights(SEED001_THREE_LEVEL).map((l) => [l.name, l.weight]));
    expect([...byName.values()].reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    // 功能适配度 4.47 points = 85.96%, 应用拓展度 1.85 = 66.07%: maxima 5.2 and 2.8 of 100.
    expect(100 * byName.get('功能适配度')!).toBeCloseTo(5.2, 10);
    expect(100 * byName.get('应用拓展度')!).toBeCloseTo(2.8, 10);
    const second = (code: string): number => {
      const parent = SEED001_THREE_LEVEL.children.find((c) =>
        c.children?.some((g) => g.code === code),
      )!;
      return 100 * parent.weight * parent.children!.find((g) => g.code === code)!.weight;
    };
    // 诉求受理能力最高分 12, 办事诉求响应 14, 互动诉求反馈 14, 智能交互 8, 个性化服务 4.
    expect(second('request_intake')).toBeCloseTo(12, 10);
    expect(second('affairs_response')).toBeCloseTo(14, 10);
    expect(second('interaction_feedback')).toBeCloseTo(14, 10);
    expect(second('smart_interaction')).toBeCloseTo(8, 10);
    expect(second('personalisation')).toBeCloseTo(4, 10);
  });

  it('seed 001: a first-level score rate reproduces its points (供给 63.25% → 25.30 of 40)', () => {
    const rates: Record<string, number> = { supply: 63.25, response: 65.3, smart: 57.3 };
    const scores: Record<string, number> = {};
    for (const first of SEED001_THREE_LEVEL.children) {
      for (const leaf of allLeaves(first)) scores[leaf] = rates[first.code];
    }
    const result = scoreTree(SEED001_THREE_LEVEL, scores);
    const points = (code: string): number => result.nodes.find((n) => n.code === code)!.points!;
    expect(points('supply')).toBeCloseTo(25.3, 10);
    expect(points('response')).toBeCloseTo(26.12, 10);
    expect(points('smart')).toBeCloseTo(11.46, 10);
    expect(result.total).toBeCloseTo(25.3 + 26.12 + 11.46, 10);
  });
});
