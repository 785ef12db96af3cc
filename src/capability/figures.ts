export interface BarItem {
  label: string;
  value: number;
}

export interface BandBar {
  label: string;
  count: number;
  sharePct: number;
}

export interface ChartOptions {
  title: string;
  valueAxisLabel?: string;
  categoryAxisLabel?: string;
  width?: number;
  // Top of the value axis; scores default to 100 so editions compare at a glance.
  max?: number;
}

// Chinese faces first: the exports are opened on Windows and macOS desktops as well as servers.
const FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";
const BAR_FILL = '#3b6fb6';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** 排名图: one horizontal bar per region, highest first as given. */
export function rankingBarsSvg(items: readonly BarItem[], options: ChartOptions): string {
  const width = options.width ?? 720;
  const left = 150;
  const right = 70;
  const top = 50;
  const row = 24;
  const plotW = width - left - right;
  const plotH = Math.max(row, items.length * row);
  const height = top + plotH + 60;
  const max = options.max ?? 100;
  const x = (v: number): number => (plotW * clamp(v, max)) / max;

  const bars = items.map((item, i) => {
    const y = top + i * row + 3;
    return [
      text(left - 8, y + 13, item.label, 'end'),
      `<rect class="bar" x="${n(left)}" y="${n(y)}" width="${n(x(item.value))}" height="18" fill="${BAR_FILL}"><title>${escapeXml(`${item.label} ${item.value.toFixed(2)}`)}</title></rect>`,
      text(left + x(item.value) + 6, y + 13, item.value.toFixed(2)),
    ].join('');
  });
  const ticks = tickValues(max).map(
    (t) =>
      `<line x1="${n(left + x(t))}" y1="${n(top + plotH)}" x2="${n(left + x(t))}" y2="${n(top + plotH + 5)}" stroke="#333"/>` +
      text(left + x(t), top + plotH + 20, formatTick(t), 'middle'),
  );
  const axes = [
    line(left, top, left, top + plotH),
    line(left, top + plotH, left + plotW, top + plotH),
    text(left + plotW / 2, top + plotH + 45, options.valueAxisLabel ?? '指数', 'middle'),
    verticalLabel(20, top + plotH / 2, options.categoryAxisLabel ?? '地区'),
  ];
  return frame(width, height, options.title, [...axes, ...ticks, ...bars]);
}

/** 子能力总体指数: one vertical bar per sub-capability mean. */
export function subCapabilityMeansSvg(items: readonly BarItem[], options: ChartOptions): string {
  return columnChart(
    items.map((i) => ({ label: i.label, value: i.value, caption: i.value.toFixed(2) })),
    options.max ?? 100,
    { valueAxisLabel: '指数均值', categoryAxisLabel: '子能力', ...options },
  );
}

/** 区间分布: one vertical bar per band, its height the count, captioned with count and share. */
export function bandDistributionSvg(rows: readonly BandBar[], options: ChartOptions): string {
  const top = Math.max(5, ...rows.map((r) => r.count));
  return columnChart(
    rows.map((r) => ({
      label: r.label,
      value: r.count,
      caption: `${r.count} (${r.sharePct.toFixed(2)}%)`,
    })),
    options.max ?? niceCeiling(top),
    { valueAxisLabel: '数量', categoryAxisLabel: '区间', ...options },
  );
}

function columnChart(
  items: readonly { label: string; value: number; caption: string }[],
  max: number,
  options: ChartOptions,
): string {
  const left = 70;
  const top = 50;
  const plotH = 260;
  const slot = 90;
  const width = options.width ?? Math.max(360, left + 30 + items.length * slot);
  const plotW = width - left - 30;
  const step = items.length === 0 ? plotW : plotW / items.length;
  const height = top + plotH + 70;
  const y = (v: number): number => (plotH * clamp(v, max)) / max;

  const bars = items.map((item, i) => {
    const cx = left + step * (i + 0.5);
    const barW = Math.min(50, step * 0.6);
    const h = y(item.value);
    return [
      `<rect class="bar" x="${n(cx - barW / 2)}" y="${n(top + plotH - h)}" width="${n(barW)}" height="${n(h)}" fill="${BAR_FILL}"><title>${escapeXml(`${item.label} ${item.caption}`)}</title></rect>`,
      text(cx, top + plotH - h - 6, item.caption, 'middle'),
      text(cx, top + plotH + 20, item.label, 'middle'),
    ].join('');
  });
  const ticks = tickValues(max).map(
    (t) =>
      `<line x1="${n(left - 5)}" y1="${n(top + plotH - y(t))}" x2="${n(left)}" y2="${n(top + plotH - y(t))}" stroke="#333"/>` +
      text(left - 8, top + plotH - y(t) + 4, formatTick(t), 'end'),
  );
  const axes = [
    line(left, top, left, top + plotH),
    line(left, top + plotH, left + plotW, top + plotH),
    text(left + plotW / 2, top + plotH + 50, options.categoryAxisLabel ?? '', 'middle'),
    verticalLabel(20, top + plotH / 2, options.valueAxisLabel ?? ''),
  ];
  return frame(width, height, options.title, [...axes, ...ticks, ...bars]);
}

function frame(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" role="img" font-family="${FONT}" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(width / 2, 28, title, 'middle', 'font-size="16" font-weight="bold"'),
    ...body,
    '</svg>',
  ].join('\n');
}

function text(x: number, y: number, content: string, anchor = 'start', extra = ''): string {
  const attrs = [`x="${n(x)}"`, `y="${n(y)}"`, `text-anchor="${anchor}"`, extra].filter(Boolean);
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

function verticalLabel(x: number, y: number, content: string): string {
  return text(x, y, content, 'middle', `transform="rotate(-90 ${n(x)} ${n(y)})"`);
}

function line(x1: number, y1: number, x2: number, y2: number): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="#333"/>`;
}

function tickValues(max: number): number[] {
  const step = max / 5;
  return Array.from({ length: 6 }, (_, i) => i * step);
}

function formatTick(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(1);
}

// A round multiple of a power of ten, so that five ticks fall on round numbers.
function niceCeiling(x: number): number {
  const unit = 10 ** Math.floor(Math.log10(x / 5));
  const step = [1, 2, 2.5, 4, 5, 10].map((m) => m * unit).find((s) => s * 5 >= x) ?? 10 * unit;
  return step * 5;
}

function clamp(v: number, max: number): number {
  return Math.min(Math.max(0, Number.isFinite(v) ? v : 0), max);
}

function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}
