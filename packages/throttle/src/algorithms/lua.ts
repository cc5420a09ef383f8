import common from "./common.lua";
import evaluate from "./evaluate.lua";
import fixedWindow from "./fixed-window.lua";
import gcra from "./gcra.lua";
import lease from "./lease.lua";
import slidingWindow from "./sliding-window.lua";

/**
 * The algorithms' Lua twins (each `.lua` file beside the `.ts` file it transliterates, inlined as
 * text at build time), in dependency order, for a store that evaluates them in Lua 5.1 (Redis,
 * Valkey). It defines, as locals: `INF`, `floor`, `ceil`, `max`, `min`, `abs`, `js_round`, `snap`,
 * `whole_ms`, `capacity_of`, `debt_at`, `gcra`, `refund_gcra`, `fixed_window`,
 * `refund_fixed_window`, `sliding_retry`, `sliding_window`, `refund_sliding_window`,
 * `state_length`, `evaluate_algorithm`, `evaluate`, `blocked_state`, `refund`, `lease_decision` and
 * `lease_held_decision`. Each function's header comment gives its arguments and results; they
 * return multiple values rather than tables.
 */
export const luaAlgorithms: string = [common, gcra, fixedWindow, slidingWindow, evaluate, lease].join("\n");
