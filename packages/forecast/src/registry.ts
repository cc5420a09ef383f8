import { type AutoSettings, defaultAutoSettings } from "./auto.js";
import { etsModel } from "./models/ets.js";
import { naive2Model, naiveModel, snaiveModel } from "./models/naive.js";
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
   * earlier; with no room to validate, the first that fits the series is used).
   */
  readonly autoCandidates: readonly string[];
  /** How `"auto"` combines its best candidates. */
  readonly autoSettings: AutoSettings;
}

/** Builds a registry from lists of models. */
export function createRegistry(
  local: readonly LocalModel[],
  global: readonly GlobalModel[],
  autoCandidates: readonly string[],
  autoSettings: AutoSettings = defaultAutoSettings,
): ModelRegistry {
  return {
    local: new Map(local.map((model) => [model.name, model])),
    global: new Map(global.map((model) => [model.name, model])),
    autoCandidates,
    autoSettings,
  };
}

/** The package's models. */
export const defaultRegistry: ModelRegistry = createRegistry(
  [snaiveModel, naiveModel, naive2Model, etsModel, thetaModel],
  [],
  ["snaive", "ets", "theta", "naive2", "naive"],
);
