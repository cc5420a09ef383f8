import { createManualClock, EnisError, type Timers } from "@enis/core";
import { describe, expect, it } from "vitest";
import type { ScriptRunner } from "./client.js";
import { type BatchReply, createCoalescer } from "./coalescer.js";

/*
 * The coalescer against a fake script runner: no server, no real time. Each fake batch carries an
 * id in its rule texts ("rule-<id>"), and the fake apply script answers each rule with its batch's
 * id as `remaining`, so a batch that got another batch's part of a reply shows.
 */

interface Call {
  readonly script: string;
  readonly keys: readonly string[];
  readonly args: readonly string[];
  resolve(reply: unknown): void;
  reject(error: unknown): void;
}

function fakeRunner(): { run: ScriptRunner; calls: Call[] } {
  const calls: Call[] = [];
  const run: ScriptRunner = (script, keys, args) =>
    new Promise((resolve, reject) => {
      calls.push({ script: script.name, keys: [...keys], args: [...args], resolve, reject });
    });
  return { run, calls };
}

/** The rule texts of each batch of a call's arguments (server clock "s"), by batch. */
function batchesOf(args: readonly string[]): string[][] {
  const textCount = Number(args[1]);
  const texts = args.slice(2, 2 + textCount);
  return args.slice(2 + textCount).map((descriptor) =>
    descriptor === "" || descriptor === "d"
      ? []
      : descriptor
          .replace(/^d/, "")
          .split(",")
          .map((ref) => texts[Number(ref) - 1]!),
  );
}

/**
 * What the apply script answers to `args` (server clock "s"): the clock, then each rule allowed,
 * with remaining (its batch's id) and resetAfterMs.
 */
function replyTo(args: readonly string[]): unknown[] {
  const reply: unknown[] = ["1763000000000.25"];
  for (const texts of batchesOf(args))
    for (const text of texts) reply.push(Number(text.slice("rule-".length)), 0);
  return reply;
}

/** Answers every call made so far (and not answered yet) as the apply script would. */
function answerAll(calls: readonly Call[], from = 0): void {
  for (const call of calls.slice(from)) call.resolve(replyTo(call.args));
}

/** A batch of `rules` rules in `partition`, whose id travels in its rule texts. */
function batch(id: number, partition: string, rules = 1) {
  return {
    partition,
    keys: Array.from({ length: rules }, (_, rule) => `enis:{${partition}}k${id}-${rule}`),
    texts: Array.from({ length: rules }, () => `rule-${id}`),
  };
}

/** The batch ids a call carries, in order. */
function idsOf(call: Call): number[] {
  return batchesOf(call.args).map((texts) => Number(texts[0]!.slice("rule-".length)));
}

/** The id a batch's reply answers with (the fake script's `remaining` of its first rule). */
const answeredId = ([, replies, offset]: BatchReply) => replies[offset];

/** One turn of the event loop's nextTick queue: the coalescer's flush has run after it. */
const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));

/** Resolves once the promise jobs queued so far have run (an event-loop turn, not a wait). */
const drained = () => new Promise<void>((resolve) => setImmediate(resolve));

function coalescer(
  run: ScriptRunner,
  options: { byPartition?: boolean; maxBatches?: number; timers?: Timers } = {},
) {
  return createCoalescer(run, "s", 50, {
    byPartition: options.byPartition ?? false,
    maxBatches: options.maxBatches ?? 16,
    timers: options.timers ?? createManualClock(0),
  });
}

function submit(
  target: ReturnType<typeof coalescer>,
  ids: readonly number[],
  partitions: readonly string[] = ["a"],
) {
  return ids.map((id) => {
    const { partition, keys, texts } = batch(id, partitions[id % partitions.length]!);
    return target.submit(partition, keys, texts, false, "");
  });
}

async function rejection(promise: Promise<unknown>): Promise<EnisError> {
  try {
    await promise;
  } catch (error) {
    if (EnisError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("coalescer", () => {
  it("sends the batches of one turn as one call, in submission order, and gives each its own part of the reply", async () => {
    const { run, calls } = fakeRunner();
    const target = coalescer(run);
    const replies = submit(target, [0, 1, 2]);
    expect(calls).toHaveLength(0);
    await tick();
    expect(calls.map((call) => [call.script, idsOf(call)])).toEqual([["apply", [0, 1, 2]]]);
    expect(calls[0]!.args[0]).toBe("s");
    expect(calls[0]!.keys).toEqual(["enis:{a}k0-0", "enis:{a}k1-0", "enis:{a}k2-0"]);
    answerAll(calls);
    expect((await Promise.all(replies)).map(answeredId)).toEqual([0, 1, 2]);
  });

  it("splits a group of four batches or more into two calls at least, and at maxBatchesPerCall", async () => {
    for (const [count, maxBatches, expected] of [
      [3, 16, [[0, 1, 2]]],
      [
        4,
        16,
        [
          [0, 1],
          [2, 3],
        ],
      ],
      [
        5,
        16,
        [
          [0, 1],
          [2, 3, 4],
        ],
      ],
      [3, 2, [[0], [1, 2]]],
      [
        5,
        3,
        [
          [0, 1],
          [2, 3, 4],
        ],
      ],
      // Six batches are twice maxBatchesPerCall: sent at once, as two calls; the seventh alone.
      [7, 3, [[0, 1, 2], [3, 4, 5], [6]]],
      [3, 1, [[0], [1], [2]]],
    ] as const) {
      const { run, calls } = fakeRunner();
      const target = coalescer(run, { maxBatches });
      const replies = submit(
        target,
        Array.from({ length: count }, (_, id) => id),
      );
      await tick();
      expect({ count, maxBatches, calls: calls.map(idsOf) }).toEqual({ count, maxBatches, calls: expected });
      answerAll(calls);
      expect((await Promise.all(replies)).map(answeredId)).toEqual(
        Array.from({ length: count }, (_, id) => id),
      );
    }
  });

  it("sends a group at once when it reaches twice maxBatchesPerCall, without waiting for the turn to end", async () => {
    const { run, calls } = fakeRunner();
    const target = coalescer(run, { maxBatches: 2 });
    const replies = submit(target, [0, 1, 2, 3, 4]);
    // The fifth batch starts a new group, sent at the end of the turn.
    expect(calls.map(idsOf)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    await tick();
    expect(calls.map(idsOf)).toEqual([[0, 1], [2, 3], [4]]);
    answerAll(calls);
    expect((await Promise.all(replies)).map(answeredId)).toEqual([0, 1, 2, 3, 4]);
  });

  it("never puts more than 4,096 keys in one call: a full group is sent before the batch that would overflow it", async () => {
    const { run, calls } = fakeRunner();
    const target = coalescer(run);
    const big = (id: number, rules: number) => {
      const { partition, keys, texts } = batch(id, "a", rules);
      return target.submit(partition, keys, texts, false, "");
    };
    const replies = [big(0, 2_000), big(1, 2_000), big(2, 2_000)];
    expect(calls.map((call) => [idsOf(call), call.keys.length])).toEqual([[[0, 1], 4_000]]);
    await tick();
    expect(calls.map((call) => [idsOf(call), call.keys.length])).toEqual([
      [[0, 1], 4_000],
      [[2], 2_000],
    ]);
    answerAll(calls);
    expect((await Promise.all(replies)).map(answeredId)).toEqual([0, 1, 2]);
  });

  it("groups by partition on a cluster, each group in submission order", async () => {
    const { run, calls } = fakeRunner();
    const target = coalescer(run, { byPartition: true });
    const replies = submit(target, [0, 1, 2, 3, 4], ["a", "b"]);
    await tick();
    expect(calls.map(idsOf)).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
    answerAll(calls);
    expect((await Promise.all(replies)).map(answeredId)).toEqual([0, 1, 2, 3, 4]);
  });

  it("after CROSSSLOT, sends the refused batches again one partition per call, and groups by partition from then on", async () => {
    const { run, calls } = fakeRunner();
    const target = coalescer(run);
    const replies = submit(target, [0, 1, 2], ["a", "b"]);
    await tick();
    expect(calls.map(idsOf)).toEqual([[0, 1, 2]]);
    calls[0]!.reject(new Error("CROSSSLOT Keys in request don't hash to the same slot"));
    await tick();
    expect(calls.slice(1).map(idsOf)).toEqual([[0, 2], [1]]);
    expect(calls[1]!.keys).toEqual(["enis:{a}k0-0", "enis:{a}k2-0"]);
    answerAll(calls, 1);
    expect((await Promise.all(replies)).map(answeredId)).toEqual([0, 1, 2]);
    // The next turn is grouped by partition at once.
    const later = submit(target, [3, 4], ["b", "a"]);
    await tick();
    expect(calls.slice(3).map(idsOf)).toEqual([[3], [4]]);
    answerAll(calls, 3);
    expect((await Promise.all(later)).map(answeredId)).toEqual([3, 4]);
  });

  it("rejects every batch of a call with STORE_UNAVAILABLE after timeoutMs of the timers, and ignores a late reply", async () => {
    const clock = createManualClock(0);
    const { run, calls } = fakeRunner();
    const target = coalescer(run, { timers: clock });
    const settled: string[] = [];
    const replies = submit(target, [0, 1]).map((reply, index) =>
      reply.then(
        () => settled.push(`${index}: resolved`),
        (error: EnisError) => settled.push(`${index}: ${error.code} ${error.message}`),
      ),
    );
    await tick();
    expect(clock.pendingTimers).toBe(1);
    clock.advance(49);
    await drained();
    expect(settled).toEqual([]);
    clock.advance(1);
    await Promise.all(replies);
    expect(settled).toEqual([
      "0: STORE_UNAVAILABLE redis store: apply got no answer within 50 ms",
      "1: STORE_UNAVAILABLE redis store: apply got no answer within 50 ms",
    ]);
    answerAll(calls);
    await drained();
    expect(settled).toHaveLength(2);
  });

  it("times each batch from its own group's first submission, and clears the timer once every batch is answered", async () => {
    const clock = createManualClock(0);
    const { run, calls } = fakeRunner();
    const target = coalescer(run, { timers: clock });
    const first = submit(target, [0]);
    await tick();
    clock.advance(30);
    const second = submit(target, [1]);
    await tick();
    expect(clock.pendingTimers).toBe(2);
    calls[1]!.resolve(replyTo(calls[1]!.args));
    expect(answeredId(await second[0]!)).toBe(1);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(20);
    expect((await rejection(first[0]!)).code).toBe("STORE_UNAVAILABLE");
    expect(clock.pendingTimers).toBe(0);
  });

  it("rejects every batch of a call with INTERNAL when the reply is malformed", async () => {
    for (const reply of [
      null,
      "OK",
      [],
      ["clock"],
      [7, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0],
      // One value too many, one too few.
      ["clock", 1, 0, 1, 0, 9],
      ["clock", 1, 0, -1, 0, 0],
      { length: 11 },
      [1n],
    ]) {
      const { run, calls } = fakeRunner();
      const target = coalescer(run);
      const replies = submit(target, [0, 1]);
      await tick();
      calls[0]!.resolve(reply);
      for (const outcome of replies) {
        const error = await rejection(outcome);
        expect([error.code, error.message]).toEqual([
          "INTERNAL",
          expect.stringMatching(/^redis store: apply answered .* to 2 batches$/),
        ]);
      }
    }
  });

  it("classifies a failed call: a script error is INTERNAL, anything else STORE_UNAVAILABLE", async () => {
    for (const [message, code] of [
      ["WRONGTYPE Operation against a key holding the wrong kind of value", "INTERNAL"],
      ["ERR Error running script (call to f_0123): @user_script:1: oops", "INTERNAL"],
      ["Connection is closed.", "STORE_UNAVAILABLE"],
      ["LOADING Redis is loading the dataset in memory", "STORE_UNAVAILABLE"],
      // A CROSSSLOT of a single partition is no coalescing artefact: nothing to regroup.
      ["CROSSSLOT Keys in request don't hash to the same slot", "STORE_UNAVAILABLE"],
    ] as const) {
      const { run, calls } = fakeRunner();
      const target = coalescer(run);
      const [reply] = submit(target, [0]);
      await tick();
      calls[0]!.reject(new Error(message));
      const error = await rejection(reply!);
      expect([message, error.code, error.cause]).toEqual([message, code, expect.any(Error)]);
      expect(calls).toHaveLength(1);
    }
  });

  it("flush sends the queued batches now, so a later command reaches the server after them", async () => {
    const { run, calls } = fakeRunner();
    const target = coalescer(run);
    const replies = submit(target, [0, 1]);
    target.flush();
    expect(calls.map(idsOf)).toEqual([[0, 1]]);
    await tick();
    expect(calls).toHaveLength(1);
    answerAll(calls);
    expect((await Promise.all(replies)).map(answeredId)).toEqual([0, 1]);
  });
});
