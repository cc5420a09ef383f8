/**
 * The demo's forecast section: six months of simulated hourly cost per tier (each tier's pool
 * share on the daily and weekly cycle of the cost section, with a growth of its own) forecast to
 * next month with @enis/forecast, and the whole pool's next week hour by hour, as a fan chart.
 */
import { createRandom, type TierId, tierIds } from "@enis/core";
import { forecast, forecastMonthlyCost, type MonthlyCostForecast } from "@enis/forecast";
import { lineChartSvg, sparkline } from "./svg.js";

const hourMs = 3_600_000;

/** Monthly growth of each tier's usage in the simulated history (demo data). */
export const monthlyGrowthByTier: Record<TierId, number> = {
  zero: 0.12,
  shared: 0.04,
  lite: 0.01,
  enterprise: -0.02,
  compliance: 0,
};

export interface ForecastInput {
  /** Each tier's hourly on-demand cost now, USD (its pool share × price × mean usage). */
  readonly hourlyUsdByTier: Readonly<Record<TierId, number>>;
  /** The first hour after the history (UTC, on a month boundary). */
  readonly endMs: number;
  /** Months of hourly history. */
  readonly months: number;
}

export interface ForecastOutcome {
  readonly byTier: readonly { readonly tier: TierId; readonly forecast: MonthlyCostForecast }[];
  /** Each tier's simulated hourly cost, USD, from `startMs`. */
  readonly historyByTier: Readonly<Record<TierId, Float64Array>>;
  /** The first hour of the history. */
  readonly startMs: number;
  /** The incident simulated in the history (for the anomaly section to be checked against, never told to it). */
  readonly incident: {
    readonly tier: TierId;
    readonly fromMs: number;
    readonly hours: number;
    readonly factor: number;
  };
  readonly week: ReturnType<typeof forecast>;
  readonly svg: string;
  readonly sparkline: string;
  readonly historyHours: number;
}

/** Hourly usage factor: a daily cycle peaking mid-afternoon UTC, quieter weekends, seeded noise. */
function usageAt(atMs: number, noise: number): number {
  const at = new Date(atMs);
  const daily = Math.sin((2 * Math.PI * (at.getUTCHours() - 9)) / 24);
  const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6 ? 0.75 : 1;
  return Math.min(1, Math.max(0.15, (0.58 + 0.27 * daily) * weekend + noise));
}

export function runForecast(input: ForecastInput): ForecastOutcome {
  const endDate = new Date(input.endMs);
  const startMs = Date.UTC(endDate.getUTCFullYear(), endDate.getUTCMonth() - input.months, 1);
  const hours = Math.round((input.endMs - startMs) / hourMs);
  const random = createRandom(23);
  const noise = Float64Array.from({ length: hours }, () => 0.04 * random.nextGaussian());
  const pool = new Float64Array(hours);
  // An incident in the history: a runaway batch job triples the 🟡 shared tier's spend for 5 hours.
  const incident = { tier: "shared" as TierId, fromMs: Date.UTC(2026, 9, 14, 2), hours: 5, factor: 3 };
  const incidentFrom = Math.round((incident.fromMs - startMs) / hourMs);
  const historyByTier = {} as Record<TierId, Float64Array>;
  const byTier = tierIds.map((tier) => {
    // Growth compounds monthly back from the present level: the last hour is at today's cost.
    const growthPerHour = (1 + monthlyGrowthByTier[tier]) ** (1 / 730);
    const values = Float64Array.from(
      { length: hours },
      (_, h) =>
        input.hourlyUsdByTier[tier] *
        growthPerHour ** (h - hours) *
        (usageAt(startMs + h * hourMs, noise[h]!) / 0.58),
    );
    if (tier === incident.tier) {
      for (let h = incidentFrom; h < incidentFrom + incident.hours; h++) values[h]! *= incident.factor;
    }
    for (let h = 0; h < hours; h++) pool[h]! += values[h]!;
    historyByTier[tier] = values;
    return { tier, forecast: forecastMonthlyCost({ values, startMs, stepMs: hourMs }, { monthsAhead: 1 }) };
  });

  // The pool's next week, hour by hour, from its last eight weeks (daily and weekly seasonality).
  const lookback = 8 * 168;
  const recent = Array.from(pool.subarray(hours - lookback));
  const week = forecast(
    { values: recent, startMs: input.endMs - lookback * hourMs, stepMs: hourMs },
    { horizon: 168, seasonalPeriods: [24, 168], levels: [80, 95] },
  );
  const shown = 14 * 24;
  const history = recent.slice(-shown).map((value, i) => [i - shown, value] as [number, number]);
  const ahead = (values: readonly number[]) => values.map((value, i) => [i + 1, value] as [number, number]);
  const [band80, band95] = week.intervals;
  const svg = lineChartSvg({
    title: "The pool's hourly cost: the last two weeks and a forecast of the next (daily and weekly cycles)",
    xLabel: "hours from now",
    yLabel: "on-demand cost per hour, USD",
    bands: [
      {
        name: "95% interval",
        colour: "#1f77b4",
        opacity: 0.15,
        lower: ahead(band95!.lower),
        upper: ahead(band95!.upper),
      },
      {
        name: "80% interval",
        colour: "#1f77b4",
        opacity: 0.3,
        lower: ahead(band80!.lower),
        upper: ahead(band80!.upper),
      },
    ],
    series: [
      { name: "forecast", colour: "#1f77b4", points: ahead(week.mean) },
      { name: "history", colour: "#444444", points: history },
    ],
    markers: [{ x: 0, label: "now", colour: "#888888" }],
  });
  // One character per 4 hours of the forecast week.
  const coarse = week.mean.filter((_, i) => i % 4 === 0);
  return {
    byTier,
    historyByTier,
    startMs,
    incident,
    week,
    svg,
    sparkline: sparkline(coarse),
    historyHours: hours,
  };
}
