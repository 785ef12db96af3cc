import { describe, expect, it } from 'vitest';
import { INDICATOR_PRESETS } from './presets';
import { parseIndicatorTree } from './tree-shape';

describe('parseIndicatorTree', () => {
  it('accepts both presets as sent over JSON, unchanged', () => {
    for (const tree of Object.values(INDICATOR_PRESETS)) {
      const parsed = parseIndicatorTree(JSON.parse(JSON.stringify(tree)));
      expect(parsed.errors).toEqual([]);
      expect(parsed.tree).toEqual(tree);
    }
  });

  it('refuses something that is not an object', () => {
    for (const input of [null, [], 'tree', 3]) {
      expect(parseIndicatorTree(input)).toEqual({
        tree: null,
        errors: [{ path: '(root)', message: 'send the tree as a JSON object' }],
      });
    }
  });

  it('reports every shape problem with its path before the weight rules', () => {
    const parsed = parseIndicatorTree({
      code: 't',
      name: '树',
      colour: 'red',
      children: [
        { code: 'a', name: '甲', weight: '0.5', kind: 'assessed' },
        { code: 'b-1', name: '', weight: 0.5, children: 'none' },
        7,
      ],
    });
    expect(parsed.tree).toBeNull();
    expect(parsed.errors).toEqual([
      { path: 't', message: 'unknown field colour; expected code, name, children' },
      { path: 't/a', message: 'weight must be a number (30% as 0.3)' },
      { path: 't/b-1', message: expect.stringContaining('code "b-1" must be a letter then') },
      { path: 't/b-1', message: 'name must be a non-empty string' },
      { path: 't/b-1', message: 'children must be a list of nodes' },
      { path: 't/[2]', message: 'each node must be a JSON object' },
    ]);
  });

  it('then applies validateIndicatorTree (sibling weights sum to 1, leaf kinds)', () => {
    const parsed = parseIndicatorTree({
      code: 't',
      name: '树',
      children: [
        { code: 'a', name: '甲', weight: 0.3, kind: 'assessed' },
        { code: 'b', name: '乙', weight: 0.3, kind: 'measured' },
      ],
    });
    expect(parsed.errors).toEqual([
      { path: 't', message: 'weights of the children sum to 0.6: adjust them so they sum to 1' },
      { path: 't/b', message: expect.stringContaining('set source of a measured leaf') },
    ]);
  });

  it('accepts the measured sources computed from storage', () => {
    const parsed = parseIndicatorTree({
      code: 't',
      name: '树',
      children: [
        { code: 'influence', name: '影响力', weight: 0.25, kind: 'measured', source: 'influence' },
        {
          code: 'freq',
          name: '更新频率',
          weight: 0.25,
          kind: 'measured',
          source: 'update_frequency',
        },
        {
          code: 'gap',
          name: '未更新',
          weight: 0.25,
          kind: 'measured',
          source: 'days_without_update',
        },
        { code: 'timely', name: '及时性', weight: 0.15, kind: 'measured', source: 'timeliness' },
        // From the custom-menu snapshots (get_current_selfmenu_info).
        { code: 'menu', name: '菜单', weight: 0.1, kind: 'measured', source: 'menu_presence' },
      ],
    });
    expect(parsed.errors).toEqual([]);
  });

  it('caps the depth of a tree', () => {
    let node: Record<string, unknown> = { code: 'leaf', name: '叶', weight: 1, kind: 'assessed' };
    for (let i = 0; i < 7; i++)
      node = { code: `n${i}`, name: `层${i}`, weight: 1, children: [node] };
    const parsed = parseIndicatorTree({ code: 't', name: '树', children: [node] });
    expect(parsed.errors).toContainEqual({
      path: expect.stringContaining('t/n6'),
      message: 'the tree is deeper than 6 levels',
    });
  });
});
