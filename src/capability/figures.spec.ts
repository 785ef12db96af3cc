import { describe, expect, it } from 'vitest';
import { bandDistributionSvg, escapeXml, rankingBarsSvg, subCapabilityMeansSvg } from './figures';

// Enough of XML to catch what string-built SVG gets wrong: unbalanced tags, raw <, & or quotes.
const wellFormedErrors = (svg: string): string[] => {
  const errors: string[] = [];
  const stack: string[] = [];
  const tag =
    /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m !== null; m = tag.exec(svg)) {
    const between = svg.slice(last, m.index);
    if (/[<>]|&(?!(amp|lt|gt|quot|apos);)/.test(between)) errors.push(`raw text: ${between}`);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (stack.pop() !== name) errors.push(`unexpected </${name}>`);
    } else if (!selfClosing) stack.push(name);
  }
  if (svg.slice(last).trim() !== '')
    errors.push(`trailing or unparsed: ${svg.slice(last, last + 80)}`);
  if (stack.length > 0) errors.push(`unclosed: ${stack.join(', ')}`);
  return errors;
};

const count = (svg: string, needle: string): number => svg.split(needle).length - 1;

const REGIONS = [
  { label: '广东省', value: 69.88 },
  { label: '贵州省', value: 68.52 },
  { label: 'A<B & "C"', value: 12.3 },
];

describe('escapeXml', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;',
    );
  });
});

describe('rankingBarsSvg', () => {
  const svg = rankingBarsSvg(REGIONS, { title: '省级政务微信服务能力指数 <2018>' });

  it('is a well-formed SVG with size, title and axis labels', () => {
    expect(wellFormedErrors(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="720" height="\d+"/);
    expect(svg).toContain('<title>省级政务微信服务能力指数 &lt;2018&gt;</title>');
    expect(svg).toContain('>指数</text>');
    expect(svg).toContain('>地区</text>');
  });

  it('draws one bar per region with its score, escaping the labels', () => {
    expect(count(svg, '<rect class="bar"')).toBe(3);
    expect(svg).toContain('>广东省</text>');
    expect(svg).toContain('>69.88</text>');
    expect(svg).toContain('A&lt;B &amp; &quot;C&quot;');
    expect(svg).not.toContain('A<B');
  });

  it('scales bars to the value axis and keeps an empty chart valid', () => {
    const full = rankingBarsSvg([{ label: '满分', value: 100 }], { title: 't', width: 720 });
    expect(full).toContain('width="500" height="18"'); // 720 − 150 − 70
    const empty = rankingBarsSvg([], { title: 't' });
    expect(wellFormedErrors(empty)).toEqual([]);
    expect(count(empty, 'class="bar"')).toBe(0);
  });
});

describe('subCapabilityMeansSvg', () => {
  it('draws one bar per sub-capability', () => {
    const svg = subCapabilityMeansSvg(
      [
        { label: '信息服务能力', value: 89.47 },
        { label: '事务服务能力', value: 45.1 },
        { label: '参与服务能力', value: 30.2 },
        { label: '服务提供能力', value: 28.9 },
        { label: '微信影响力', value: 50.5 },
      ],
      { title: '直辖市政务微信服务子能力总体指数' },
    );
    expect(wellFormedErrors(svg)).toEqual([]);
    expect(count(svg, '<rect class="bar"')).toBe(5);
    expect(svg).toContain('>89.47</text>');
    expect(svg).toContain('>子能力</text>');
    expect(svg).toContain('>指数均值</text>');
  });
});

describe('bandDistributionSvg', () => {
  it('draws one bar per band with count and share', () => {
    const svg = bandDistributionSvg(
      [
        { label: '高水平', count: 0, sharePct: 0 },
        { label: '中等水平', count: 7, sharePct: 25.93 },
        { label: '较低水平', count: 13, sharePct: 48.15 },
        { label: '低水平', count: 7, sharePct: 25.92 },
      ],
      { title: '省级政务微信服务能力指数区间分布' },
    );
    expect(wellFormedErrors(svg)).toEqual([]);
    expect(count(svg, '<rect class="bar"')).toBe(4);
    expect(svg).toContain('>13 (48.15%)</text>');
    expect(svg).toContain('>区间</text>');
    expect(svg).toContain('>数量</text>');
  });
});

describe('wellFormedErrors', () => {
  it('catches what it is there to catch', () => {
    expect(wellFormedErrors('<svg><text>a < b</text></svg>')).not.toEqual([]);
    expect(wellFormedErrors('<svg><g></svg>')).not.toEqual([]);
    expect(wellFormedErrors('<svg><text>R&D</text></svg>')).not.toEqual([]);
  });
});
