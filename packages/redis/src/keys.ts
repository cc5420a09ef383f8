import { EnisError } from "@enis/core";
import { invalidField } from "@enis/core/validate";

/*
 * Key layout: `${prefix}{${partition}}${key}`, partition = the key's text before its first ":"
 * (the organisation: "acme:team-a:user-7" -> "acme"). Redis Cluster hashes only the text inside
 * the first {...} of a key, so every key of one organisation lands in one slot and one script can
 * check org, team and user atomically; a batch over two organisations would be CROSSSLOT on a
 * cluster, so it is refused on every deployment alike (bottleneck #180 and PostHog failed open on
 * CROSSSLOT).
 */

/** The partition (hash tag) of a throttle key: its text before the first ":", or all of it. */
export function partitionOf(key: string): string {
  const colon = key.indexOf(":");
  return colon === -1 ? key : key.slice(0, colon);
}

/** Checks a throttle key: a non-empty string whose partition is non-empty and holds no brace. */
export function assertThrottleKey(key: unknown, field: string): asserts key is string {
  if (typeof key !== "string" || key.length === 0) throw invalidField(field, key, "a non-empty string");
  const partition = partitionOf(key);
  // "{}" is no hash tag at all (Redis then hashes the whole key), and a "}" would end the tag early.
  if (partition.length === 0 || /[{}]/.test(partition)) {
    throw invalidField(
      field,
      key,
      'a key whose text before the first ":" is non-empty and has no "{" or "}"',
    );
  }
}

/** The Redis key of a throttle key. */
export function redisKey(prefix: string, key: string, partition = partitionOf(key)): string {
  return `${prefix}{${partition}}${key}`;
}

/**
 * The Redis key of a lease key's index (a sorted set of its lease ids by expiry): the same hash
 * tag, so the same Cluster slot, and a "\0" where the throttle key would start. No throttle key
 * maps there: its text after the tag starts with its partition, which is non-empty, and a
 * partition starting with "\0" would give another tag.
 */
export function leaseIndexKey(prefix: string, key: string, partition = partitionOf(key)): string {
  return `${prefix}{${partition}}\0${key}`;
}

/** Throws INVALID_OPTIONS unless every key shares one partition; returns it (undefined for none). */
export function singlePartition(keys: readonly string[], field: string): string | undefined {
  let partition: string | undefined;
  for (let index = 0; index < keys.length; index++) {
    const own = partitionOf(keys[index]!);
    if (partition === undefined) partition = own;
    else if (own !== partition) {
      throw new EnisError(
        "INVALID_OPTIONS",
        `${field}[${index}].key ${JSON.stringify(keys[index])} is in partition ${JSON.stringify(own)}, but the batch's first key is in ${JSON.stringify(partition)}: one batch must stay within one organisation (one Redis Cluster slot)`,
        { field: `${field}[${index}].key` },
      );
    }
  }
  return partition;
}

/** Groups keys by partition, keeping their order within each group. */
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
