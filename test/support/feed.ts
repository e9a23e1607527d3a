/** The simulator's feeds as the integration tests use them. */
import { simulate } from '../../processors/simulator/simulate.ts';
import { chinaDate } from '../../rules/engine/time.ts';

/**
 * The feed of the `days` days up to today (China time), 150 institutions: recent, so that live
 * windows, lapsed packs and Kafka's timestamps see it as current traffic.
 */
export async function recentFeed(seed: number, days: number): Promise<string[]> {
  const feed: string[] = [];
  for await (const l of simulate({
    seed,
    days,
    start: chinaDate(Date.now() - days * 86_400_000),
    institutions: 150,
  }))
    feed.push(l);
  return feed;
}
