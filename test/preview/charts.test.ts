/** The desk's charts: SVG built from numbers by d3-scale and d3-shape, escaped by the html tag, sane with no data or one point. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart } from '../../src/preview/charts/bar-chart.ts';
import { lineChart } from '../../src/preview/charts/line-chart.ts';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const ticks = (svg: string) => [...svg.matchAll(/<text class="chart-tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

test('line chart: an accessible image whose axes tick the days and the counts', () => {
  const svg = String(
    lineChart({
      points: [
        { day: day('2026-11-01'), value: 12 },
        { day: day('2026-11-02'), value: 40 },
        { day: day('2026-11-03'), value: 55 },
        { day: day('2026-11-04'), value: 90 },
      ],
      title: 'Active subscribers',
      desc: 'from 12 to 90',
    }),
  );
  assert.match(svg, /^<svg class="chart line-chart" role="img" viewBox="0 0 640 220"/);
  assert.match(svg, /<title>Active subscribers<\/title><desc>from 12 to 90<\/desc>/);
  const labels = ticks(svg);
  // Counts: 0 to 100 in nice steps; days: each of the four.
  assert.deepEqual(labels.slice(0, 6), ['0', '20', '40', '60', '80', '100']);
  assert.deepEqual(labels.slice(6), ['1 Nov', '2 Nov', '3 Nov', '4 Nov']);
  const line = /<path class="chart-line" d="([^"]+)"/.exec(svg)?.[1] ?? '';
  assert.equal(line.match(/L/g)?.length, 3, 'four points joined by three segments');
  assert.match(svg, /<path class="chart-area" d="M[^"]+Z"/);
  assert.doesNotMatch(svg, /style=/);
});

test('line chart: no points draws an empty frame that says so; one point is a dot in the middle', () => {
  const empty = String(lineChart({ points: [], title: 'Active subscribers', desc: 'none yet' }));
  assert.match(empty, /role="img"/);
  assert.match(empty, /<text class="chart-empty"[^>]*>No data yet<\/text>/);
  assert.doesNotMatch(empty, /<path/);
  const one = String(lineChart({ points: [{ day: day('2026-12-03'), value: 7 }], title: 't', desc: 'd' }));
  assert.doesNotMatch(one, /NaN/);
  const dot = /<circle class="chart-dot" cx="([\d.]+)"/.exec(one);
  assert.ok(dot, 'a dot marks the only point');
  assert.equal(Number(dot[1]), (44 + 624) / 2, 'centred in a day-wide domain');
  assert.ok(ticks(one).includes('3 Dec'));
});

test('charts: titles, descriptions and labels are escaped', () => {
  const evil = '</title><script>alert(1)</script>&"';
  for (const svg of [
    String(lineChart({ points: [{ day: day('2026-12-03'), value: 1 }], title: evil, desc: evil })),
    String(barChart({ bars: [{ minute: new Date('2026-12-03T10:00:00Z'), value: 1 }], title: evil, desc: evil })),
  ]) {
    assert.doesNotMatch(svg, /<script>/);
    assert.match(svg, /<title>&lt;\/title&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;&quot;<\/title>/);
  }
});

test('bar chart: one bar a minute, tallest at the top tick, first and last minutes on the axis', () => {
  const at = (m: number) => new Date(Date.UTC(2026, 11, 3, 14, m));
  const svg = String(
    barChart({
      bars: [
        { minute: at(2), value: 30 },
        { minute: at(0), value: 10 },
        { minute: at(1), value: 20 },
      ],
      title: 'Messages per minute',
      desc: '60 messages over 3 minutes',
    }),
  );
  assert.match(svg, /<title>Messages per minute<\/title><desc>60 messages over 3 minutes<\/desc>/);
  const bars = [...svg.matchAll(/<rect class="chart-bar" x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"><title>([^<]+)<\/title>/g)];
  assert.deepEqual(bars.map((b) => b[4]), ['14:00 UTC: 10', '14:01 UTC: 20', '14:02 UTC: 30'], 'in time order');
  const heights = bars.map((b) => Number(b[3]));
  assert.ok(heights[0]! < heights[1]! && heights[1]! < heights[2]!);
  assert.equal(Number(bars[2]![2]), 8, 'the tallest reaches the top of the plot');
  assert.deepEqual(ticks(svg), ['0', '30', '14:00', '14:02'], 'zero and the peak; the first and last minutes');
});

test('bar chart: nothing sent says so', () => {
  const svg = String(barChart({ bars: [], title: 'Messages per minute', desc: 'none' }));
  assert.match(svg, /<text class="chart-empty"[^>]*>Nothing sent yet<\/text>/);
  assert.doesNotMatch(svg, /chart-bar/);
});
