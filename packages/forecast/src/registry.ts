import { type AutoSettings, defaultAutoSettings } from "./auto.js";
import { pooledArModel } from "./global/pooled-ar.js";
import { etsModel } from "./models/ets.js";
import { mstlModel } from "./models/mstl.js";
import { driftModel, naive2Model, naiveModel, snaiveModel } from "./models/naive.js";
import { thetaModel } from "./models/theta.js";
import type { GlobalModel, LocalModel } from "./models/types.js";

/*
 * The models `options.model` selects by name. Internal: the public list is `forecastModelNames`.
 */

/** Models by name, and the ones `"auto"` chooses among. */
export interface ModelRegistry {
  /** Local models (one fit per series), by name. */
  readonly local: ReadonlyMap<string, LocalModel>;
  /** Global models (one fit across the series of a `forecastMany` call), by name. */
  readonly global: ReadonlyMap<string, GlobalModel>;
  /**
   * The local models `"auto"` validates, in order of preference (a tie in validation goes to the
   * earlier; with no room to validate, the first that fits the series is used). Global models
   * among them are fitted across the series of a `forecastMany()` call.
   */
  readonly autoCandidates: readonly string[];
  /**
   * Local models `"auto"` adds to its candidates (after them) when there are no seasonal periods.
   */
  readonly autoNonSeasonal: readonly string[];
  /** How `"auto"` combines its best candidates. */
  readonly autoSettings: AutoSettings;
}

/** Builds a registry from lists of models. */
export function createRegistry(
  local: readonly LocalModel[],
  global: readonly GlobalModel[],
  autoCandidates: readonly string[],
  autoSettings: AutoSettings = defaultAutoSettings,
  autoNonSeasonal: readonly string[] = [],
): ModelRegistry {
  return {
    local: new Map(local.map((model) => [model.name, model])),
    global: new Map(global.map((model) => [model.name, model])),
    autoCandidates,
    autoSettings,
    autoNonSeasonal,
  };
}

/** The package's models. */
export const defaultRegistry: ModelRegistry = createRegistry(
  [snaiveModel, naiveModel, naive2Model, driftModel, etsModel, thetaModel, mstlModel],
  [pooledArModel],
  // ETS is left out of "auto" for seasonal series: on the M4 Hourly training file's last 48 points
  // it made "auto" no better (OWA 0.497 with it, 0.487 without) and ~20 s slower for the 414
  // series. Without seasonality it is cheap, and with the drift (a straight line: the model for a
  // few months of a growing cost) the candidates with a trend.
  ["snaive", "pooled-ar", "mstl", "theta", "naive2", "naive"],
  defaultAutoSettings,
  ["ets", "drift"],
);
