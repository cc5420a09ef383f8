import { invalidField } from "@enis/core/validate";
import { assertKey, partitionOf } from "@enis/throttle/store";

/*
 * Key layout: `${prefix}{${partition}}${key}` for every throttle key, its partition being the
 * port's (`partitionOf` of "@enis/throttle/store"): the text inside a leading `{…}` (an explicit
 * partition), else the text before the first ":" (the organisation), else the whole key. Redis
 * Cluster hashes only the text inside the first {...} of a key, and a prefix holds no brace, so
 * every key of one partition lands in one slot and one script checks org, team and user
 * atomically. The key follows the tag whole, braces included: `{2001:db8::1}` is stored at
 * `enis:{2001:db8::1}{2001:db8::1}`, apart from `2001:db8::1` (default partition "2001") at
 * `enis:{2001}2001:db8::1`. A throttle key is read back from its Redis key by dropping the prefix
 * and the tag (a partition holds no "}"), so two keys never share a Redis key.
 */

/** The Redis key of a throttle key (checked by `assertKey`), in the partition `partition`. */
export function storedKey(prefix: string, key: string, partition = partitionOf(key)): string {
  return `${prefix}{${partition}}${key}`;
}

/**
 * The Redis key under which a store with this `prefix` keeps the throttle key `key` (to inspect or
 * expire it from outside the store). Both are checked: `prefix` is text without "{" or "}" (the
 * store's `prefix` option), `key` a valid throttle key (`assertKey`); the partition is the key's
 * own (`partitionOf`). Throws `EnisError` `INVALID_OPTIONS` naming the argument.
 */
export function redisKey(prefix: string, key: string): string {
  if (typeof prefix !== "string" || /[{}]/.test(prefix)) {
    throw invalidField("prefix", prefix, 'a string without "{" or "}" (they would move the hash tag)');
  }
  assertKey(key, "key");
  return storedKey(prefix, key);
}

/**
 * The Redis key of a lease key's index (a sorted set of its lease ids by expiry): the same hash
 * tag, so the same Cluster slot, then a zero byte, then the key. No throttle key's Redis key is an
 * index's: that throttle key would be "\0" followed by a key K of partition P, and so would not
 * start with "{" — its partition would be "\0" and K's text before the first ":", longer than P
 * when K states no partition, holding a "{" (not a valid key) when it does.
 */
export function leaseIndexKey(prefix: string, key: string, partition = partitionOf(key)): string {
  return `${prefix}{${partition}}\u0000${key}`;
}

/** Groups items by their key's partition, keeping their order within each group. */
export function groupByPartition<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const partition = partitionOf(keyOf(item));
    const group = groups.get(partition);
    if (group === undefined) groups.set(partition, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}
