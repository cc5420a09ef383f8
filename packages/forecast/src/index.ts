/**
 * @enis/forecast: cost and demand forecasts with prediction intervals, one series or hundreds at
 * once, and the M4 competition's accuracy metrics. Pure: no I/O, no clock; randomness only from a
 * seed.
 *
 * @packageDocumentation
 */

export type {
  CapacityForecast,
  CapacityOptions,
  CostHistory,
  CostTrend,
  MonthlyCostForecast,
  MonthlyCostOptions,
} from "./cost.js";
export { forecastCapacity, forecastMonthlyCost } from "./cost.js";
export type {
  ForecastInterval,
  ForecastModelParams,
  ForecastOptions,
  ForecastResult,
  ForecastSeries,
} from "./forecast.js";
export { forecast, forecastMany } from "./forecast.js";
export * from "./forest/index.js";
export * from "./metrics/index.js";
export * from "./models/index.js";
