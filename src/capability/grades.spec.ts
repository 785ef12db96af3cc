import { describe, expect, it } from 'vitest';
import {
  assignGrades,
  differenceTrendCuts,
  gradeByDifferenceTrend,
  type GradeInput,
} from './grades';

const items = (scores: number[]): GradeInput[] =>
  scores.map((score, i) => ({ id: `r${String(i).padStart(3, '0')}`, score }));

// Evenly spaced 2-decimal scores from `from` down to `to`.
const run = (from: number, to: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => Math.round((from - ((from - to) * i) / (n - 1)) * 100) / 100);

const subgrades = (scores: number[]): string[] =>
  gradeByDifferenceTrend(items(scores)).assignments.map((a) => a.subgrade);

describe('differenceTrendCuts', () => {
  it('cuts after the largest gaps and returns the lowest score of each grade', () => {
    // gaps 1, 4, 1, 19, 1, 1, 18, 1: the three largest follow 89, 68 and 94
    expect(differenceTrendCuts([50, 95, 69, 94, 90, 49, 89, 70, 68])).toEqual([94, 89, 68]);
    expect(differenceTrendCuts([95, 90, 70], 2)).toEqual([90]);
  });

  it('never cuts between ties and takes the higher of equal gaps', () => {
    expect(differenceTrendCuts([80, 80, 80, 70, 70, 60])).toEqual([80, 70]);
    expect(differenceTrendCuts([10, 8, 6, 4], 2)).toEqual([10]);
    expect(differenceTrendCuts([5, 5, 5])).toEqual([]);
    expect(differenceTrendCuts([])).toEqual([]);
  });
});

describe('gradeByDifferenceTrend', () => {
  it('reproduces seed 001: cuts 79.91 / 60.10 / 46.09 and the thirds of A, B and C', () => {
    // Made-up cohort around the seed's printed numbers: A from 84.80 down to 宜宾市 79.91, B tops at
    // 79.51 (so that its thirds are the printed 66.57 / 73.04), C tops at 59.64 (50.61 / 55.12).
    const scores = [
      ...run(84.8, 79.91, 16),
      ...run(79.51, 60.1, 70),
      ...run(59.64, 46.09, 50),
      ...run(45.2, 20, 80),
    ];
    const { grades, assignments } = gradeByDifferenceTrend(items(scores));
    expect(grades.map((g) => [g.grade, g.lowerCut, g.top, g.count])).toEqual([
      ['A', 79.91, 84.8, 16],
      ['B', 60.1, 79.51, 70],
      ['C', 46.09, 59.64, 50],
      ['D', 20, 45.2, 80],
    ]);
    const t = (grade: string): number[] => {
      const th = grades.find((g) => g.grade === grade)!.thresholds!;
      return [th.minus, th.plain, th.plus].map((x) => Math.round(x * 100) / 100);
    };
    expect(t('A')).toEqual([79.91, 81.54, 83.17]);
    expect(t('B')).toEqual([60.1, 66.57, 73.04]);
    expect(t('C')).toEqual([46.09, 50.61, 55.12]);
    expect(grades[3].thresholds).toBeNull(); // D is not split
    expect(grades[0].gapBelow).toBeCloseTo(0.4, 10);

    const of = (score: number): string => assignments.find((a) => a.score === score)!.subgrade;
    expect([84.8, 79.91, 60.1, 46.09, 45.2].map(of)).toEqual(['A+', 'A-', 'B-', 'C-', 'D']);
  });

  it('grades a constructed list with known gaps', () => {
    expect(subgrades([95, 94, 90, 89, 70, 69, 68, 50, 49])).toEqual([
      'A+',
      'A-',
      'B+',
      'B-',
      'C+',
      'C',
      'C-',
      'D',
      'D',
    ]);
  });

  it('puts a score on a third boundary into the upper third', () => {
    // A spans [80, 83]: thirds start at 80, 81, 82; B's thirds run from its given cut 40 to 50.
    const { assignments } = assignGrades(items([83, 82, 81, 80.5, 80, 50, 41]), [80, 40]);
    expect(assignments.map((a) => a.subgrade)).toEqual(['A+', 'A+', 'A', 'A-', 'A-', 'B+', 'B-']);
  });

  it('keeps ties together and leaves an all-equal grade plain', () => {
    const { grades, assignments } = gradeByDifferenceTrend(items([80, 80, 80, 70, 70, 60]));
    expect(grades.map((g) => g.grade)).toEqual(['A', 'B', 'C']);
    expect(assignments.map((a) => a.subgrade)).toEqual(['A', 'A', 'A', 'B', 'B', 'C']);
  });

  it('forms fewer grades when there are fewer scores than grades', () => {
    expect(subgrades([50, 40])).toEqual(['A', 'B']);
    expect(subgrades([50])).toEqual(['A']);
    expect(gradeByDifferenceTrend([])).toEqual({ grades: [], assignments: [] });
  });

  it('sorts by score, then id, whatever the input order', () => {
    const result = gradeByDifferenceTrend([
      { id: 'b', score: 70 },
      { id: 'c', score: 90 },
      { id: 'a', score: 70 },
    ]);
    expect(result.assignments.map((a) => a.id)).toEqual(['c', 'a', 'b']);
  });

  it('rejects scores that are not numbers', () => {
    expect(() => gradeByDifferenceTrend([{ id: 'x', score: Number.NaN }])).toThrow(RangeError);
  });
});

describe('assignGrades', () => {
  it("takes the evaluators' own cuts, as seed 001 prints them", () => {
    const regions = [
      { id: '深圳市', score: 84.8 },
      { id: '宁波市', score: 82.0 },
      { id: '宜宾市', score: 79.91 },
      { id: '合肥市', score: 75.0 },
      { id: '益阳市', score: 60.1 },
      { id: '西宁市', score: 57.0 },
      { id: '周口市', score: 46.09 },
      { id: '三沙市', score: 30 },
    ];
    const { assignments } = assignGrades(regions, [79.91, 60.1, 46.09]);
    expect(assignments.map((a) => `${a.id}${a.subgrade}`)).toEqual([
      '深圳市A+',
      '宁波市A',
      '宜宾市A-',
      '合肥市B+',
      '益阳市B-',
      '西宁市C+',
      '周口市C-',
      '三沙市D',
    ]);
  });

  it('needs one letter more than cuts', () => {
    expect(() => assignGrades([], [3, 2, 1], ['A', 'B', 'C'])).toThrow('need at least 4 letters');
  });
});
