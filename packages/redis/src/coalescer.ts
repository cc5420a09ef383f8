import { EnisError, type Timers } from "@enis/core";
import { classify, describeReply, type ScriptRunner, timeoutError } from "./client.js";
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
  /** The group whose timer and count of pending batches this batch belongs to. */
  readonly group: Group;
  /** The batch's partition (hash tag), for regrouping by slot. */
  readonly partition: string;
  /** Where the batch's keys and arguments start and end in its group's arrays. */
  readonly keysStart: number;
  readonly keysEnd: number;
  readonly argsStart: number;
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
  /** The group's timeout (a handle of the store's timers). */
  timer: unknown;
  pending: number;
}

export interface CoalescerOptions {
  /** Group batches by partition (a cluster: one script call must stay in one slot). */
  readonly byPartition: boolean;
  /** Most batches in one script call; a group of twice as many is sent at once. */
  readonly maxBatches: number;
  /** What the groups' timeouts run on (the host's timers, or a test's manual clock). */
  readonly timers: Timers;
}

export interface Coalescer {
  /**
   * Queues one batch of `rules` rules: its Redis keys (one per rule, two per lease rule), and its
   * arguments (the header, then one per rule). Resolves to the batch's reply.
   */
  submit(
    partition: string,
    keys: readonly string[],
    args: readonly string[],
    rules: number,
  ): Promise<BatchReply>;
  /**
   * Sends the queued batches now, so that a command issued after them (a refund, a reset, a
   * release) reaches the server after them, as it was called.
   */
  flush(): void;
}

/** A group of at least this many batches is sent as two calls or more (see {@link createCoalescer}). */
const splitAt = 4;

/**
 * Most keys in one script call. A client spreads keys and arguments into one function call
 * (ioredis: `evalsha(sha, n, ...keys, ...args)`), and tens of thousands overflow the stack; a
 * group that would pass it is sent as it stands and a new one started.
 */
export const maxKeysPerCall = 4_096;

/** True for Redis' refusal of a script whose keys span slots (cluster mode). */
function isCrossSlot(error: unknown): boolean {
  return error instanceof Error && /^CROSSSLOT\b/.test(error.message);
}

/**
 * Creates the coalescer of one store. A group is sent as calls of at most `maxBatches` batches,
 * and as two calls at least when it holds four batches or more: while Redis runs the first, the client encodes the second and then decodes the
 * first's replies, so the two processes work in parallel instead of in turns (one call per turn
 * leaves each idle half the time; measured at concurrency 16, it halved the throughput).
 *
 * A server in cluster mode reached through a plain client (a managed single-shard cluster, a
 * proxy) refuses a call whose keys span slots with CROSSSLOT, before running any of it; the
 * coalescer then groups by partition from that call on, and sends the refused batches again,
 * one partition per call, within their original timeout.
 */
export function createCoalescer(
  run: ScriptRunner,
  clockMode: "s" | "c",
  timeoutMs: number,
  options: CoalescerOptions,
): Coalescer {
  const open = new Map<string, Group>();
  let scheduled = false;
  let byPartition = options.byPartition;

  const finish = (waiter: Waiter): boolean => {
    if (waiter.done) return false;
    waiter.done = true;
    const group = waiter.group;
    if (--group.pending === 0) options.timers.clearTimeout(group.timer);
    return true;
  };

  /** Sends `waiters` (consecutive batches, in order) as one script call of `keys` and `args`. */
  const sendCall = (waiters: readonly Waiter[], keys: string[], args: string[]): void => {
    run(luaScripts.apply, keys, args).then(
      (reply) => {
        const replies = Array.isArray(reply) ? (reply as unknown[]) : [];
        // The flat reply holds the clock, then each batch's part.
        let expected = 1;
        for (const waiter of waiters) expected += waiter.replyLength;
        if (replies.length !== expected || typeof replies[0] !== "string") {
          const error = new EnisError(
            "INTERNAL",
            `redis store: apply answered ${describeReply(reply)} to ${waiters.length} batches`,
          );
          for (const waiter of waiters) if (finish(waiter)) waiter.reject(error);
          return;
        }
        const clock = replies[0] as string;
        let offset = 1;
        for (const waiter of waiters) {
          if (finish(waiter)) waiter.resolve([clock, replies, offset]);
          offset += waiter.replyLength;
        }
      },
      (error: unknown) => {
        // A call spanning partitions refused by a cluster-mode server (every call sent before
        // the first refusal came back is one): nothing of it ran, so it is sent again, split.
        if (isCrossSlot(error) && new Set(waiters.map((w) => w.partition)).size > 1) {
          byPartition = true;
          resendByPartition(waiters);
          return;
        }
        const failure = EnisError.isInstance(error) ? error : classify("apply", error);
        for (const waiter of waiters) if (finish(waiter)) waiter.reject(failure);
      },
    );
  };

  /** Sends the group's batches [from, to) as one script call. */
  const send = (group: Group, from: number, to: number): void => {
    const whole = from === 0 && to === group.waiters.length;
    const first = group.waiters[from]!;
    const last = group.waiters[to - 1]!;
    const keys = whole ? group.keys : group.keys.slice(first.keysStart, last.keysEnd);
    let args = group.args;
    if (!whole) {
      args = group.args.slice(first.argsStart - 1, last.argsEnd);
      args[0] = clockMode;
    }
    sendCall(group.waiters.slice(from, to), keys, args);
  };

  /** Sends refused batches again, one call per partition, in their submission order. */
  const resendByPartition = (waiters: readonly Waiter[]): void => {
    const byKey = new Map<string, Waiter[]>();
    for (const waiter of waiters) {
      if (waiter.done) continue;
      const list = byKey.get(waiter.partition);
      if (list === undefined) byKey.set(waiter.partition, [waiter]);
      else list.push(waiter);
    }
    for (const list of byKey.values()) {
      const keys: string[] = [];
      const args: string[] = [clockMode];
      for (const waiter of list) {
        const group = waiter.group;
        for (let index = waiter.keysStart; index < waiter.keysEnd; index++) keys.push(group.keys[index]!);
        for (let index = waiter.argsStart; index < waiter.argsEnd; index++) args.push(group.args[index]!);
      }
      sendCall(list, keys, args);
    }
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
    for (const waiter of group.waiters) if (finish(waiter)) waiter.reject(error);
  };

  return {
    submit(partition, keys, args, rules) {
      return new Promise<BatchReply>((resolve, reject) => {
        const groupKey = byPartition ? partition : "";
        let group = open.get(groupKey);
        if (group !== undefined && group.keys.length + keys.length > maxKeysPerCall) {
          // Full: sent now, ahead of this batch, so the order of submission holds.
          open.delete(groupKey);
          sendGroup(group);
          group = undefined;
        }
        if (group === undefined) {
          const created: Group = { keys: [], args: [clockMode], waiters: [], timer: undefined, pending: 0 };
          created.timer = options.timers.setTimeout(() => expire(created), timeoutMs);
          open.set(groupKey, created);
          group = created;
        }
        const keysStart = group.keys.length;
        const argsStart = group.args.length;
        for (let index = 0; index < keys.length; index++) group.keys.push(keys[index]!);
        for (let index = 0; index < args.length; index++) group.args.push(args[index]!);
        group.waiters.push({
          resolve,
          reject,
          group,
          partition,
          keysStart,
          keysEnd: group.keys.length,
          argsStart,
          argsEnd: group.args.length,
          replyLength: 1 + 4 * rules,
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
    flush() {
      if (open.size > 0) flush();
    },
  };
}
