/**
 * `target.push(...items)` passes every item as an argument: past about 120,000 items V8 throws
 * `RangeError: Maximum call stack size exceeded` (issue 14: a month's backlog crashed the live
 * path in the batcher and at the end of the topology). Appends without spreading.
 */
export function pushAll<T>(target: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i++) target.push(items[i]!);
  return target;
}
