import { invalidField } from "./errors.js";

/**
 * A source of time in milliseconds. Cores never read the wall clock: they take `nowMs` or a
 * `Clock`, so the same inputs give the same outputs on any machine. Adapters and applications
 * pass `{ nowMs: () => Date.now() }` or `{ nowMs: () => performance.now() }`.
 */
export interface Clock {
  /** Current time in milliseconds. Must not go backwards. */
  nowMs(): number;
}

/** A clock that moves only when told: for tests, simulations and replays. */
export interface ManualClock extends Clock {
  /** Moves the clock forward by `deltaMs` (≥ 0). */
  advance(deltaMs: number): void;
  /** Sets the clock to `timeMs` (≥ the current time). */
  set(timeMs: number): void;
}

/**
 * Creates a {@link ManualClock} starting at `startMs`.
 *
 * @example
 * ```ts
 * const clock = createManualClock(0);
 * clock.advance(250);
 * clock.nowMs(); // 250
 * ```
 */
export function createManualClock(startMs = 0): ManualClock {
  assertTime(startMs, "startMs");
  let now = startMs;
  return {
    nowMs: () => now,
    advance(deltaMs: number) {
      if (typeof deltaMs !== "number" || !(deltaMs >= 0) || !Number.isFinite(deltaMs)) {
        throw invalidField("deltaMs", deltaMs, "a finite number >= 0");
      }
      if (!Number.isFinite(now + deltaMs)) {
        throw invalidField("deltaMs", deltaMs, `small enough that ${now} + deltaMs is finite`);
      }
      now += deltaMs;
    },
    set(timeMs: number) {
      assertTime(timeMs, "timeMs");
      if (timeMs < now) throw invalidField("timeMs", timeMs, `>= the current time ${now}`);
      now = timeMs;
    },
  };
}

function assertTime(value: unknown, field: string): void {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalidField(field, value, "a finite number");
}
