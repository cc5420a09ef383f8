/** A line chart as SVG text: one or more series over a shared x axis, with marked x positions. */
export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly {
    readonly name: string;
    readonly colour: string;
    readonly points: readonly [number, number][];
  }[];
  /** Shaded bands (prediction intervals, widest first): lower and upper points over shared x. */
  readonly bands?: readonly {
    readonly name: string;
    readonly colour: string;
    readonly opacity: number;
    readonly lower: readonly [number, number][];
    readonly upper: readonly [number, number][];
  }[];
  /** Vertical markers: an x position, its label and colour. */
  readonly markers?: readonly { readonly x: number; readonly label: string; readonly colour: string }[];
}

const width = 720;
const height = 400;
const margin = { left: 70, right: 20, top: 40, bottom: 50 };

const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Round "nice" tick steps (1, 2, 5 × 10^k) covering [low, high] in about `count` ticks. */
function ticks(low: number, high: number, count = 6): number[] {
  const span = high - low || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const out: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** Renders `chart` as a standalone SVG document. */
export function lineChartSvg(chart: LineChart): string {
  const bands = chart.bands ?? [];
  const allPoints = [
    ...chart.series.flatMap((s) => s.points),
    ...bands.flatMap((band) => [...band.lower, ...band.upper]),
  ];
  const xs = allPoints.map((p) => p[0]);
  const ys = allPoints.map((p) => p[1]);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(0, ...ys), Math.max(...ys)];
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) => margin.top + plotH - ((y - yMin) / (yMax - yMin || 1)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${xmlText(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${xmlText(chart.title)}</text>`,
  ];
  for (const y of ticks(yMin, yMax)) {
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${sy(y) + 4}" text-anchor="end">${y.toLocaleString("en-US")}</text>`,
    );
  }
  for (const x of ticks(xMin, xMax)) {
    parts.push(
      `<text x="${sx(x)}" y="${height - margin.bottom + 16}" text-anchor="middle">${x.toLocaleString("en-US")}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${sy(0)}" y2="${sy(0)}" stroke="#888"/>`,
    `<text x="${width - margin.right}" y="${height - 12}" text-anchor="end">${xmlText(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${xmlText(chart.yLabel)}</text>`,
  );
  for (const band of bands) {
    const outline = [...band.upper, ...[...band.lower].reverse()]
      .map(([x, y], i) => `${i === 0 ? "M" : "L"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(" ");
    parts.push(`<path d="${outline} Z" fill="${band.colour}" fill-opacity="${band.opacity}" stroke="none"/>`);
  }
  // Marker labels one line apart, each beside its line (left of it in the plot's right half).
  (chart.markers ?? []).forEach((marker, index) => {
    const x = sx(marker.x);
    const right = x > margin.left + plotW / 2;
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="${marker.colour}" stroke-dasharray="5 4"/>`,
      `<text x="${right ? x - 4 : x + 4}" y="${margin.top + 14 + 16 * index}" text-anchor="${right ? "end" : "start"}" fill="${marker.colour}">${xmlText(marker.label)}</text>`,
    );
  });
  // The legend under the plot, left-aligned, one series per line.
  chart.series.forEach((series, index) => {
    const path = series.points.map(
      ([x, y], i) => `${i === 0 ? "M" : "L"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`,
    );
    parts.push(
      `<path d="${path.join(" ")}" fill="none" stroke="${series.colour}" stroke-width="2"/>`,
      `<text x="${margin.left}" y="${height - 12 - 14 * index}" fill="${series.colour}">— ${xmlText(series.name)}</text>`,
    );
  });
  bands.forEach((band, index) => {
    parts.push(
      `<text x="${margin.left + 260}" y="${height - 12 - 14 * index}" fill="${band.colour}">■ ${xmlText(band.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** A terminal sparkline of `values` (one block character per value, scaled to their range). */
export function sparkline(values: readonly number[]): string {
  const blocks = "▁▂▃▄▅▆▇█";
  const low = Math.min(...values);
  const high = Math.max(...values);
  return values
    .map((value) => blocks[high === low ? 0 : Math.min(7, Math.floor(((value - low) / (high - low)) * 8))])
    .join("");
}
