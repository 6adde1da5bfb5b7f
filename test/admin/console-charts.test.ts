// The console's server-side SVG charts: real shapes inside one <svg> (a formatter once closed the tag early
// and the browser showed bare text), numbers in proportion, labels escaped, gaps for minutes without data.
import { barChart, horizontalBars, lineChart, niceMax } from '../../src/admin/console/svg-charts';

function svgCount(markup: string): number {
  return markup.match(/<svg\b/g)?.length ?? 0;
}

describe('svg charts', () => {
  it('draws one bar per value inside a single svg, the highest reaching the top', () => {
    const svg = barChart({ title: 'Check-ins', values: [0, 5, 10], xLabels: ['12:00', '13:00'] }).text;
    expect(svgCount(svg)).toBe(1);
    expect(svg.indexOf('</svg>')).toBe(svg.length - '</svg>'.length);
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(3);
    expect(heights[0]).toBe(0);
    expect(heights[2]).toBeCloseTo(heights[1]! * 2, 0);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title>Check-ins</title>');
  });

  it('escapes titles and labels', () => {
    const svg = horizontalBars({ title: 'a"<b>', rows: [{ label: '<script>x</script>', value: 1 }] }).text;
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(svg).toContain('aria-label="a&quot;&lt;b&gt;"');
    expect(svgCount(svg)).toBe(1);
  });

  it('leaves a gap in a line where a minute has no value', () => {
    const svg = lineChart({
      title: 'Latency',
      series: [{ name: 'p50', colour: '#000', values: [100, null, 200, 300] }],
      xLabels: ['a', 'b'],
      yUnit: 'ms',
    }).text;
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]!);
    expect(paths).toHaveLength(2);
    expect(paths[0]!.match(/[ML]/g)).toEqual(['M']);
    expect(paths[1]!.match(/[ML]/g)).toEqual(['M', 'L']);
  });

  it('says so when no session ended', () => {
    expect(horizontalBars({ title: 'Outcomes', rows: [] }).text).toContain('no sessions ended');
  });

  it.each([
    [0, 1],
    [3, 5],
    [7, 10],
    [120, 200],
    [1000, 1000],
  ])('rounds an axis maximum of %d up to %d', (max, nice) => {
    expect(niceMax(max)).toBe(nice);
  });
});
