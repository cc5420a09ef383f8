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

/**
 * Timers: what an adapter waits with (a store call's timeout, a batch's flush). Injectable, as the
 * clock is, so that tests run timeouts without waiting real milliseconds (TanStack Query's
 * `timeoutManager` habit). The default is the host's `setTimeout` / `clearTimeout`;
 * {@link createManualClock} gives timers that fire as the manual clock advances.
 */
export interface Timers {
  /** Calls `callback` once, `delayMs` from now; returns a handle for {@link Timers.clearTimeout}. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer that has not fired; a handle that already fired or is unknown is ignored. */
  clearTimeout(handle: unknown): void;
}

/** The host's timers (Node's or the browser's `setTimeout` / `clearTimeout`). */
export const systemTimers: Timers = Object.freeze({
  setTimeout: (callback: () => void, delayMs: number): unknown => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle: unknown): void =>
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
});

/**
 * A clock that moves only when told, for tests, simulations and replays — and timers on it: a timer
 * fires when `advance` or `set` reaches its time, in order of due time (then of creation), with the
 * clock reading its due time while its callback runs.
 */
export interface ManualClock extends Clock, Timers {
  /** Moves the clock forward by `deltaMs` (≥ 0), firing the timers that fall due on the way. */
  advance(deltaMs: number): void;
  /** Sets the clock to `timeMs` (≥ the current time), firing the timers that fall due on the way. */
  set(timeMs: number): void;
  /** Timers set and neither fired nor cleared. */
  readonly pendingTimers: number;
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
  let created = 0;
  /** Pending timers by handle: due time, creation order, callback. */
  const timers = new Map<number, { dueMs: number; order: number; callback: () => void }>();
  /** Moves to `targetMs`, firing due timers one at a time (a callback may set or clear others). */
  const moveTo = (targetMs: number): void => {
    for (;;) {
      let next: number | undefined;
      let nextTimer: { dueMs: number; order: number; callback: () => void } | undefined;
      for (const [handle, timer] of timers) {
        if (timer.dueMs > targetMs) continue;
        if (
          nextTimer === undefined ||
          timer.dueMs < nextTimer.dueMs ||
          (timer.dueMs === nextTimer.dueMs && timer.order < nextTimer.order)
        ) {
          next = handle;
          nextTimer = timer;
        }
      }
      if (nextTimer === undefined) break;
      timers.delete(next!);
      if (nextTimer.dueMs > now) now = nextTimer.dueMs;
      nextTimer.callback();
    }
    now = targetMs;
  };
  return {
    nowMs: () => now,
    advance(deltaMs: number) {
      if (typeof deltaMs !== "number" || !(deltaMs >= 0) || !Number.isFinite(deltaMs)) {
        throw invalidField("deltaMs", deltaMs, "a finite number >= 0");
      }
      if (!Number.isFinite(now + deltaMs)) {
        throw invalidField("deltaMs", deltaMs, `small enough that ${now} + deltaMs is finite`);
      }
      moveTo(now + deltaMs);
    },
    set(timeMs: number) {
      assertTime(timeMs, "timeMs");
      if (timeMs < now) throw invalidField("timeMs", timeMs, `>= the current time ${now}`);
      moveTo(timeMs);
    },
    setTimeout(callback: () => void, delayMs: number): unknown {
      if (typeof callback !== "function") throw invalidField("callback", callback, "a function");
      if (typeof delayMs !== "number" || !(delayMs >= 0) || !Number.isFinite(delayMs)) {
        throw invalidField("delayMs", delayMs, "a finite number >= 0");
      }
      const handle = ++created;
      timers.set(handle, { dueMs: now + delayMs, order: handle, callback });
      return handle;
    },
    clearTimeout(handle: unknown) {
      if (typeof handle === "number") timers.delete(handle);
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}

function assertTime(value: unknown, field: string): void {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalidField(field, value, "a finite number");
}
