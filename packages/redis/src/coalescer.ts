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
 * reply array, and where the batch's part of it starts: per rule, remaining and resetAfterMs when
 * it is allowed, else a negative code, remaining, retryAfterMs and resetAfterMs (see
 * {@link ruleReplyLength}).
 */
export type BatchReply = readonly [clock: string, replies: readonly unknown[], offset: number];

/**
 * How many values of the apply reply a rule takes, from its first: 4 for a refusal (a negative
 * integer code first), 2 for an allowed rule (remaining >= 0, an integer or "%.17g" text, first).
 */
export function ruleReplyLength(first: unknown): number {
  return typeof first === "number" && first < 0 ? 4 : 2;
}

interface Waiter {
  readonly resolve: (reply: BatchReply) => void;
  readonly reject: (error: unknown) => void;
  /** The group whose timer and count of pending batches this batch belongs to. */
  readonly group: Group;
  /** The batch's partition (hash tag), for regrouping by slot. */
  readonly partition: string;
  /** Where the batch's keys and rule texts (one per rule) start and end in its group's arrays. */
  readonly keysStart: number;
  readonly keysEnd: number;
  readonly textsStart: number;
  readonly textsEnd: number;
  /** "d" for a dry run, else "": the start of the batch's descriptor. */
  readonly dry: string;
  /** The caller's nowMs, or "" with the server's clock. */
  readonly clock: string;
  done: boolean;
}

interface Group {
  readonly keys: string[];
  /** Each batch's rule texts, one per rule. */
  readonly texts: string[];
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
   * Queues one batch: its Redis keys (one per rule, two per lease rule), its rules' texts (one per
   * rule, as the apply script reads them), whether it is a dry run, and the caller's nowMs ("" for
   * the server's clock). Resolves to the batch's reply.
   */
  submit(
    partition: string,
    keys: readonly string[],
    texts: readonly string[],
    dryRun: boolean,
    clock: string,
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

  /** Sends `waiters` (batches in submission order) as one script call of `keys` and `args`. */
  const sendCall = (waiters: readonly Waiter[], keys: string[], args: string[]): void => {
    run(luaScripts.apply, keys, args).then(
      (reply) => {
        const replies = Array.isArray(reply) ? (reply as unknown[]) : [];
        // The flat reply holds the clock, then each batch's rules, 2 or 4 values each.
        const offsets =
          replies.length > 0 && typeof replies[0] === "string" ? offsetsOf(waiters, replies) : undefined;
        if (offsets === undefined) {
          const error = new EnisError(
            "INTERNAL",
            `redis store: apply answered ${describeReply(reply)} to ${waiters.length} batches`,
          );
          for (const waiter of waiters) if (finish(waiter)) waiter.reject(error);
          return;
        }
        const clock = replies[0] as string;
        for (let index = 0; index < waiters.length; index++) {
          const waiter = waiters[index]!;
          if (finish(waiter)) waiter.resolve([clock, replies, offsets[index]!]);
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

  /**
   * The call's arguments for `waiters`: the clock mode, the number of distinct rule texts, the
   * texts, then each batch's descriptor ("d" for a dry run, then its texts' indexes from 1,
   * comma-separated) and, with the caller's clock, its nowMs. A rate rule's text repeats across
   * the batches of a call (every request of a limiter has the same), so each is sent once.
   */
  const argumentsOf = (waiters: readonly Waiter[]): string[] => {
    const texts = new TextIndex();
    const descriptors: string[] = [];
    for (let index = 0; index < waiters.length; index++) {
      const waiter = waiters[index]!;
      const groupTexts = waiter.group.texts;
      let descriptor = waiter.dry;
      for (let at = waiter.textsStart; at < waiter.textsEnd; at++) {
        const ref = texts.indexOf(groupTexts[at]!);
        descriptor = at === waiter.textsStart ? `${descriptor}${ref}` : `${descriptor},${ref}`;
      }
      descriptors.push(descriptor);
      if (clockMode === "c") descriptors.push(waiter.clock);
    }
    const args = [clockMode, String(texts.list.length)];
    for (const text of texts.list) args.push(text);
    for (const descriptor of descriptors) args.push(descriptor);
    return args;
  };

  /** Sends the group's batches [from, to) as one script call. */
  const send = (group: Group, from: number, to: number): void => {
    const whole = from === 0 && to === group.waiters.length;
    const waiters = whole ? group.waiters : group.waiters.slice(from, to);
    const keys = whole
      ? group.keys
      : group.keys.slice(waiters[0]!.keysStart, waiters[waiters.length - 1]!.keysEnd);
    sendCall(waiters, keys, argumentsOf(waiters));
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
      for (const waiter of list) {
        const group = waiter.group;
        for (let index = waiter.keysStart; index < waiter.keysEnd; index++) keys.push(group.keys[index]!);
      }
      sendCall(list, keys, argumentsOf(list));
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
    submit(partition, keys, texts, dryRun, clock) {
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
          const created: Group = { keys: [], texts: [], waiters: [], timer: undefined, pending: 0 };
          created.timer = options.timers.setTimeout(() => expire(created), timeoutMs);
          open.set(groupKey, created);
          group = created;
        }
        const keysStart = group.keys.length;
        const textsStart = group.texts.length;
        for (let index = 0; index < keys.length; index++) group.keys.push(keys[index]!);
        for (let index = 0; index < texts.length; index++) group.texts.push(texts[index]!);
        group.waiters.push({
          resolve,
          reject,
          group,
          partition,
          keysStart,
          keysEnd: group.keys.length,
          textsStart,
          textsEnd: group.texts.length,
          dry: dryRun ? "d" : "",
          clock,
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

/**
 * Where each batch's part of a flat apply reply starts (after the clock), walking its rules'
 * values (2 or 4 each, {@link ruleReplyLength}); undefined when the reply does not hold exactly
 * the rules of `waiters`.
 */
function offsetsOf(waiters: readonly Waiter[], replies: readonly unknown[]): number[] | undefined {
  const offsets: number[] = new Array(waiters.length);
  let at = 1;
  for (let index = 0; index < waiters.length; index++) {
    const waiter = waiters[index]!;
    offsets[index] = at;
    for (let rule = waiter.textsEnd - waiter.textsStart; rule > 0; rule--) {
      if (at >= replies.length) return undefined;
      at += ruleReplyLength(replies[at]);
    }
  }
  return at === replies.length ? offsets : undefined;
}

/**
 * The distinct rule texts of one call, in order of first use, by index from 1. A rate rule's text
 * is compared with the few distinct ones before it (a limiter's texts are one string object, so
 * the comparison is by reference); past 16 of them, a map finds them. A lease rule's text holds
 * its lease id, so it is never repeated: it is not looked for.
 */
class TextIndex {
  readonly list: string[] = [];
  private byText: Map<string, number> | undefined;

  indexOf(text: string): number {
    const list = this.list;
    if (text.charCodeAt(0) === 114 /* r */) {
      if (this.byText !== undefined) {
        const known = this.byText.get(text);
        if (known !== undefined) return known;
      } else {
        for (let index = 0; index < list.length; index++) if (list[index] === text) return index + 1;
      }
    }
    list.push(text);
    const ref = list.length;
    if (this.byText !== undefined) this.byText.set(text, ref);
    else if (ref > 16) {
      this.byText = new Map();
      for (let index = 0; index < list.length; index++) this.byText.set(list[index]!, index + 1);
    }
    return ref;
  }
}
