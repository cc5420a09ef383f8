import { EnisError } from "@enis/core";
import { classify, type ScriptRunner, timeoutError } from "./client.js";
import { luaScripts } from "./lua-scripts.js";

/*
 * Coalescing of apply batches. A policy engine's replicas call the store concurrently: many
 * requests are in flight at once, each a batch of one to a dozen rules. Sent one EVALSHA each, the
 * round trip, the command parsing and the script's start dominate both the client's and the
 * server's time (the Lua arithmetic is a small part). The batches submitted in one event-loop turn
 * are instead sent as one call of the apply script, which evaluates them in submission order,
 * each all or nothing: the decisions the same batches would get sent one after the other, since
 * Redis runs a script without interleaving other commands. The flush happens on process.nextTick,
 * after the turn's microtasks, so it adds no timer and no event-loop phase to a lone call.
 *
 * Timeouts: a group's timer starts when its first batch arrives, so every batch is answered within
 * timeoutMs of its own submission. A timed-out group rejects every batch in it with
 * STORE_UNAVAILABLE; as with any timeout, the script may still run later (the outcome is unknown).
 */

/**
 * A batch's reply: the call's server clock reading ("" with the caller clock), the call's flat
 * reply array, and where the batch's part of it starts (its allowed flag, then 4 values per rule).
 */
export type BatchReply = readonly [clock: string, replies: readonly unknown[], offset: number];

interface Waiter {
  readonly resolve: (reply: BatchReply) => void;
  readonly reject: (error: unknown) => void;
  /** Where the batch's keys and arguments end in the group's arrays. */
  readonly keysEnd: number;
  readonly argsEnd: number;
  /** Values of its part of the reply: its flag, and 4 per rule. */
  readonly replyLength: number;
  done: boolean;
}

interface Group {
  readonly keys: string[];
  /** The clock mode, then each batch's arguments. */
  readonly args: string[];
  readonly waiters: Waiter[];
  timer: ReturnType<typeof setTimeout> | undefined;
  pending: number;
}

export interface CoalescerOptions {
  /** Group batches by partition (a cluster: one script call must stay in one slot). */
  readonly byPartition: boolean;
  /** Most batches in one script call; a group of twice as many is sent at once. */
  readonly maxBatches: number;
}

export interface Coalescer {
  /**
   * Queues one batch: its Redis keys, and its arguments (the header, then one per rule). Resolves
   * to the batch's reply.
   */
  submit(partition: string, keys: readonly string[], args: readonly string[]): Promise<BatchReply>;
}

/** A group of at least this many batches is sent as two calls or more (see {@link createCoalescer}). */
const splitAt = 4;

/**
 * Creates the coalescer of one store. A group is sent as calls of at most `maxBatches` batches,
 * and as two calls at least when it holds four batches or more: while Redis runs the first, the client encodes the second and then decodes the
 * first's replies, so the two processes work in parallel instead of in turns (one call per turn
 * leaves each idle half the time; measured at concurrency 16, it halved the throughput).
 */
export function createCoalescer(
  run: ScriptRunner,
  clockMode: "s" | "c",
  timeoutMs: number,
  options: CoalescerOptions,
): Coalescer {
  const open = new Map<string, Group>();
  let scheduled = false;

  const finish = (group: Group, waiter: Waiter): boolean => {
    if (waiter.done) return false;
    waiter.done = true;
    if (--group.pending === 0) clearTimeout(group.timer);
    return true;
  };

  /** Sends the group's batches [from, to) as one script call. */
  const send = (group: Group, from: number, to: number): void => {
    const keysStart = from === 0 ? 0 : group.waiters[from - 1]!.keysEnd;
    const argsStart = from === 0 ? 1 : group.waiters[from - 1]!.argsEnd;
    const whole = from === 0 && to === group.waiters.length;
    const keys = whole ? group.keys : group.keys.slice(keysStart, group.waiters[to - 1]!.keysEnd);
    let args = group.args;
    if (!whole) {
      args = group.args.slice(argsStart - 1, group.waiters[to - 1]!.argsEnd);
      args[0] = clockMode;
    }
    const count = to - from;
    run(luaScripts.apply, keys, args).then(
      (reply) => {
        const replies = Array.isArray(reply) ? (reply as unknown[]) : [];
        // The flat reply holds the clock, then each batch's part.
        let expected = 1;
        for (let index = from; index < to; index++) expected += group.waiters[index]!.replyLength;
        if (replies.length !== expected || typeof replies[0] !== "string") {
          const error = new EnisError(
            "INTERNAL",
            `redis store: apply answered ${JSON.stringify(reply)} to ${count} batches`,
          );
          for (let index = from; index < to; index++) {
            const waiter = group.waiters[index]!;
            if (finish(group, waiter)) waiter.reject(error);
          }
          return;
        }
        const clock = replies[0] as string;
        let offset = 1;
        for (let index = from; index < to; index++) {
          const waiter = group.waiters[index]!;
          if (finish(group, waiter)) waiter.resolve([clock, replies, offset]);
          offset += waiter.replyLength;
        }
      },
      (error: unknown) => {
        const failure = EnisError.isInstance(error) ? error : classify("apply", error);
        for (let index = from; index < to; index++) {
          const waiter = group.waiters[index]!;
          if (finish(group, waiter)) waiter.reject(failure);
        }
      },
    );
  };

  const sendGroup = (group: Group): void => {
    const count = group.waiters.length;
    const calls = Math.max(Math.ceil(count / options.maxBatches), count >= splitAt ? 2 : 1);
    for (let call = 0; call < calls; call++) {
      send(group, Math.floor((call * count) / calls), Math.floor(((call + 1) * count) / calls));
    }
  };

  const flush = (): void => {
    scheduled = false;
    for (const group of open.values()) sendGroup(group);
    open.clear();
  };

  const expire = (group: Group): void => {
    const error = timeoutError("apply", timeoutMs);
    for (const waiter of group.waiters) if (finish(group, waiter)) waiter.reject(error);
  };

  return {
    submit(partition, keys, args) {
      return new Promise<BatchReply>((resolve, reject) => {
        const groupKey = options.byPartition ? partition : "";
        let group = open.get(groupKey);
        if (group === undefined) {
          const created: Group = { keys: [], args: [clockMode], waiters: [], timer: undefined, pending: 0 };
          created.timer = setTimeout(() => expire(created), timeoutMs);
          open.set(groupKey, created);
          group = created;
        }
        for (let index = 0; index < keys.length; index++) group.keys.push(keys[index]!);
        for (let index = 0; index < args.length; index++) group.args.push(args[index]!);
        group.waiters.push({
          resolve,
          reject,
          keysEnd: group.keys.length,
          argsEnd: group.args.length,
          replyLength: 1 + 4 * keys.length,
          done: false,
        });
        group.pending++;
        if (group.waiters.length >= 2 * options.maxBatches) {
          open.delete(groupKey);
          sendGroup(group);
        } else if (!scheduled) {
          scheduled = true;
          process.nextTick(flush);
        }
      });
    },
  };
}
