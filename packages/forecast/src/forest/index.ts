export {
  type CalendarFeatureOptions,
  type CalendarFeatures,
  type CalendarForecast,
  type CalendarForecastOptions,
  type CalendarInterval,
  type CalendarSeries,
  calendarFeatures,
  forecastWithCalendar,
} from "./calendar.js";
export {
  createRandomForest,
  type FeatureMatrix,
  type FittedRandomForest,
  type OutOfBag,
  type RandomForestJSON,
  type RandomForestOptions,
  type RandomForestRegressor,
  randomForestFromJSON,
} from "./random-forest.js";
