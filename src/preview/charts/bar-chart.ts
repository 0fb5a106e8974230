import { max } from 'd3-array';
import { scaleBand, scaleLinear } from 'd3-scale';
import { count, h, minuteLabel, px, type Html } from './markup.ts';

/** Messages in one minute: `minute` is its start. */
export interface MinuteBar {
  minute: Date;
  value: number;
}

export interface BarChartInput {
  bars: readonly MinuteBar[];
  title: string;
  desc: string;
  width?: number;
  height?: number;
}

const MARGIN = { top: 8, right: 8, bottom: 20, left: 36 };

/**
 * A small bar chart of messages per minute, as SVG markup: d3-scale's band scale spaces the minutes, its linear
 * scale sizes the counts (zero and the busiest minute labelled, so the height reads); the first and last minutes label the axis.
 * No bars: an empty frame that says so.
 */
export function barChart(input: BarChartInput): Html {
  const width = input.width ?? 320;
  const height = input.height ?? 96;
  const inner = { left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top, bottom: height - MARGIN.bottom };
  const bars = [...input.bars].sort((a, b) => a.minute.getTime() - b.minute.getTime());
  const head = h`<title>${input.title}</title><desc>${input.desc}</desc>`;
  if (bars.length === 0) {
    return h`<svg class="chart bar-chart" role="img" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${head}<line class="chart-axis" x1="${inner.left}" x2="${inner.right}" y1="${inner.bottom}" y2="${inner.bottom}"/><text class="chart-empty" x="${px((inner.left + inner.right) / 2)}" y="${px((inner.top + inner.bottom) / 2)}" text-anchor="middle">Nothing sent yet</text></svg>`;
  }
  const x = scaleBand<number>()
    .domain(bars.map((b) => b.minute.getTime()))
    .range([inner.left, inner.right])
    .paddingInner(0.2)
    .paddingOuter(0.1);
  const top = Math.max(1, max(bars, (b) => b.value) ?? 0);
  const y = scaleLinear().domain([0, top]).range([inner.bottom, inner.top]);
  // Zero and the busiest minute: on a chart this small, the peak is the number worth reading.
  const yTicks = [0, top];
  // The band never grows past a sensible bar: one minute should not fill the whole chart.
  const band = Math.min(x.bandwidth(), 28);
  const rects = bars.map((b) => {
    const left = x(b.minute.getTime())! + (x.bandwidth() - band) / 2;
    return h`<rect class="chart-bar" x="${px(left)}" y="${px(y(b.value))}" width="${px(band)}" height="${px(inner.bottom - y(b.value))}"><title>${minuteLabel(b.minute)} UTC: ${count(b.value)}</title></rect>`;
  });
  const grid = yTicks.map(
    (t) =>
      h`<line class="chart-grid" x1="${inner.left}" x2="${inner.right}" y1="${px(y(t))}" y2="${px(y(t))}"/><text class="chart-tick" x="${inner.left - 6}" y="${px(y(t))}" dy="0.32em" text-anchor="end">${count(t)}</text>`,
  );
  const firstBar = bars[0]!;
  const lastBar = bars.at(-1)!;
  const labels = [h`<text class="chart-tick" x="${inner.left}" y="${height - 4}" text-anchor="start">${minuteLabel(firstBar.minute)}</text>`];
  if (bars.length > 1) labels.push(h`<text class="chart-tick" x="${inner.right}" y="${height - 4}" text-anchor="end">${minuteLabel(lastBar.minute)}</text>`);
  return h`<svg class="chart bar-chart" role="img" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${head}${grid}${rects}<line class="chart-axis" x1="${inner.left}" x2="${inner.right}" y1="${inner.bottom}" y2="${inner.bottom}"/>${labels}</svg>`;
}
