export interface GradeInput {
  id: string;
  score: number;
}

export interface GradeThresholds {
  minus: number;
  plain: number;
  plus: number;
}

export interface GradeBand {
  grade: string;
  count: number;
  // 分界点: from difference-trend cuts, the grade's lowest score (seed 001: 宜宾市 79.91 closes A).
  lowerCut: number;
  top: number;
  // Down to the next lower score; null for the last grade.
  gapBelow: number | null;
  thresholds: GradeThresholds | null;
}

export interface GradeAssignment extends GradeInput {
  grade: string;
  subgrade: string;
}

export interface GradeResult {
  grades: GradeBand[];
  assignments: GradeAssignment[];
}

export const DEFAULT_GRADES = ['A', 'B', 'C', 'D'] as const;

const EPSILON = 1e-9;

/**
 * 差分趋势分级 (seed 001): sort descending and cut after the (grades − 1) largest gaps between
 * consecutive scores. Returns each grade's lower cut, highest first (seed 001: 79.91, 60.10, 46.09).
 */
export function differenceTrendCuts(
  scores: readonly number[],
  grades: number = DEFAULT_GRADES.length,
): number[] {
  const sorted = [...scores].sort((a, b) => b - a);
  const gaps: { i: number; gap: number }[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const gap = sorted[i] - sorted[i + 1];
    // A zero gap is never cut, so tied scores always share a grade.
    if (gap > 0) gaps.push({ i, gap });
  }
  return gaps
    .sort((a, b) => b.gap - a.gap || a.i - b.i) // equal gaps: the higher-ranked one is cut
    .slice(0, Math.max(0, grades - 1))
    .map((g) => sorted[g.i])
    .sort((a, b) => b - a);
}

/**
 * Grade i holds the scores ≥ lowerCuts[i] not taken by a higher grade; the last letter takes the
 * rest. Every grade but the last splits into +, plain, − by equal thirds of [its lower cut, its
 * highest score]. Cuts may come from differenceTrendCuts or from the evaluators' own reading.
 */
export function assignGrades(
  items: readonly GradeInput[],
  lowerCuts: readonly number[],
  letters: readonly string[] = DEFAULT_GRADES,
): GradeResult {
  if (lowerCuts.length >= letters.length) {
    throw new RangeError(`${lowerCuts.length} cuts need at least ${lowerCuts.length + 1} letters`);
  }
  for (const item of items) {
    if (!Number.isFinite(item.score)) throw new RangeError(`score of ${item.id} is not a number`);
  }
  const cuts = [...lowerCuts].sort((a, b) => b - a);
  const sorted = [...items].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  const gradeOf = (score: number): number => {
    const i = cuts.findIndex((cut) => score + EPSILON >= cut);
    return i === -1 ? cuts.length : i;
  };

  const grades: GradeBand[] = [];
  const assignments: GradeAssignment[] = [];
  for (let g = 0; g <= cuts.length; g++) {
    const members = sorted.filter((m) => gradeOf(m.score) === g);
    if (members.length === 0) continue;
    const top = members[0].score;
    const lowest = members[members.length - 1].score;
    const lowerCut = g < cuts.length ? cuts[g] : lowest;
    const next = sorted.find((m) => m.score < lowest);
    const split = g < letters.length - 1;
    const thresholds = split && top > lowerCut ? thirds(lowerCut, top) : null;
    const grade = letters[g];
    grades.push({
      grade,
      count: members.length,
      lowerCut,
      top,
      gapBelow: next === undefined ? null : lowest - next.score,
      thresholds,
    });
    for (const m of members) {
      assignments.push({ ...m, grade, subgrade: grade + suffix(m.score, thresholds) });
    }
  }
  return { grades, assignments };
}

export function gradeByDifferenceTrend(
  items: readonly GradeInput[],
  letters: readonly string[] = DEFAULT_GRADES,
): GradeResult {
  if (letters.length === 0) throw new RangeError('give at least one grade letter');
  const cuts = differenceTrendCuts(
    items.map((i) => i.score),
    letters.length,
  );
  return assignGrades(items, cuts, letters);
}

function thirds(lower: number, top: number): GradeThresholds {
  const step = (top - lower) / 3;
  return { minus: lower, plain: lower + step, plus: lower + 2 * step };
}

// A grade whose scores are all equal has nothing to split: its members are plain.
function suffix(score: number, t: GradeThresholds | null): string {
  if (t === null) return '';
  if (score + EPSILON >= t.plus) return '+';
  if (score + EPSILON >= t.plain) return '';
  return '-';
}
