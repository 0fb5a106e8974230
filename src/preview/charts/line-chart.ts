import { extent, max } from 'd3-array';
import { scaleLinear, scaleUtc } from 'd3-scale';
import { area, line } from 'd3-shape';
import { count, dayLabel, h, px, type Html } from './markup.ts';

/** One day's value: `day` is that day's UTC midnight. */
export interface DayPoint {
  day: Date;
  value: number;
}

export interface LineChartInput {
  points: readonly DayPoint[];
  /** The chart's accessible name (`<title>`). */
  title: string;
  /** The data summarised in words (`<desc>`), e.g. "from 12 to 240". */
  desc: string;
  width?: number;
  height?: number;
}

const MARGIN = { top: 12, right: 16, bottom: 28, left: 44 };
const DAY_MS = 86_400_000;

/**
 * An area chart of one value per day, as SVG markup: d3-scale places and ticks the axes, d3-shape draws the line and
 * the area under it; everything is escaped by the `html` tag. Colours are classes (desk.css), so light and dark
 * follow the page. No points: an empty frame that says so; one point: a dot in a day-wide domain.
 */
export function lineChart(input: LineChartInput): Html {
  const width = input.width ?? 640;
  const height = input.height ?? 220;
  const inner = { left: MARGIN.left, right: width - MARGIN.right, top: MARGIN.top, bottom: height - MARGIN.bottom };
  const points = [...input.points].sort((a, b) => a.day.getTime() - b.day.getTime());
  const head = h`<title>${input.title}</title><desc>${input.desc}</desc>`;
  if (points.length === 0) {
    return h`<svg class="chart line-chart" role="img" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${head}<rect class="chart-frame" x="${inner.left}" y="${inner.top}" width="${inner.right - inner.left}" height="${inner.bottom - inner.top}"/><text class="chart-empty" x="${px((inner.left + inner.right) / 2)}" y="${px((inner.top + inner.bottom) / 2)}" text-anchor="middle">No data yet</text></svg>`;
  }
  const [first, last] = extent(points, (p) => p.day.getTime()) as [number, number];
  // A single day still needs a span to place it in: half a day either side.
  const domain = first === last ? [first - DAY_MS / 2, last + DAY_MS / 2] : [first, last];
  const x = scaleUtc().domain(domain).range([inner.left, inner.right]);
  const top = Math.max(1, max(points, (p) => p.value) ?? 0);
  const y = scaleLinear().domain([0, top]).nice(4).range([inner.bottom, inner.top]);
  const yTicks = y.ticks(4).filter(Number.isInteger);
  // Day ticks only: a short span would otherwise tick at hours.
  const xTicks = x.ticks(Math.min(6, Math.max(1, Math.round((domain[1]! - domain[0]!) / DAY_MS)))).filter((t) => t.getTime() % DAY_MS === 0);
  const ax = (p: DayPoint) => x(p.day);
  const ay = (p: DayPoint) => y(p.value);
  const linePath = line<DayPoint>().x(ax).y(ay)(points) ?? '';
  const areaPath = area<DayPoint>().x(ax).y0(inner.bottom).y1(ay)(points) ?? '';
  const grid = yTicks.map(
    (t) =>
      h`<line class="chart-grid" x1="${inner.left}" x2="${inner.right}" y1="${px(y(t))}" y2="${px(y(t))}"/><text class="chart-tick" x="${inner.left - 8}" y="${px(y(t))}" dy="0.32em" text-anchor="end">${count(t)}</text>`,
  );
  const days = xTicks.map(
    (t) =>
      h`<line class="chart-axis" x1="${px(x(t))}" x2="${px(x(t))}" y1="${inner.bottom}" y2="${inner.bottom + 4}"/><text class="chart-tick" x="${px(x(t))}" y="${inner.bottom + 18}" text-anchor="middle">${dayLabel(t)}</text>`,
  );
  const end = points.at(-1)!;
  return h`<svg class="chart line-chart" role="img" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${head}${grid}<line class="chart-axis" x1="${inner.left}" x2="${inner.right}" y1="${inner.bottom}" y2="${inner.bottom}"/>${days}<path class="chart-area" d="${areaPath}"/><path class="chart-line" d="${linePath}" fill="none"/><circle class="chart-dot" cx="${px(ax(end))}" cy="${px(ay(end))}" r="3.5"/></svg>`;
}
