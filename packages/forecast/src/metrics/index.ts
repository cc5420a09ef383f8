export type {
  IntervalAccuracyInput,
  NumericSeries,
  PointAccuracyInput,
  ScaledAccuracyInput,
  ScaledIntervalInput,
} from "./accuracy.js";
export { coverage, mae, mape, mase, msis, rmse, seasonalScale, smape } from "./accuracy.js";
export type {
  EvaluatedSeries,
  EvaluateOptions,
  ForecastAccuracy,
  OwaInput,
  SeriesAccuracy,
} from "./evaluate.js";
export { evaluateForecasts, m4HourlyNaive2, owa } from "./evaluate.js";
