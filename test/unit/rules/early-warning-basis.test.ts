/**
 * Each pack declares the article its early warnings rest on (Pack.early_warning): quoted word for
 * word from its seed (line breaks aside), and, where the seed states no early-warning duty, labelled
 * an assumption and listed as one in the pack's README.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKS } from '../../../rules/packs/index.ts';

const SEEDS = join(import.meta.dirname, '../../../../shared/seeds');
const squeeze = (s: string) => s.replace(/\s+/g, '');

describe.each(PACKS.map((p) => [p.id, p] as const))('the early-warning basis of %s', (id, pack) => {
  const b = pack.early_warning;

  it('quotes its seed word for word, and the articles it names are in the seed', () => {
    expect(b.article).toMatch(/^第.+条/);
    expect(b.quote.length).toBeGreaterThan(0);
    const path = join(SEEDS, pack.seed);
    if (!existsSync(path)) return; // shared/ beside the project is optional for unit tests
    const seed = squeeze(readFileSync(path, 'utf8'));
    for (const q of b.quote) expect(seed, `${id} quotes ${q}`).toContain(squeeze(q));
    for (const art of b.article.match(/第[一二三四五六七八九十百]+条/g) ?? [])
      expect(seed, `${id} cites ${art}`).toContain(art);
  });

  it('is labelled an assumption unless the seed itself speaks of 预警, and its README says which', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../rules/packs', id, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Early warning'));
    expect(section, `${id}/README.md has no "## Early warning" section`).toContain(b.article);
    if (b.quote.some((q) => q.includes('预警'))) expect(b.assumption).toBeUndefined();
    else {
      expect(b.assumption?.length ?? 0).toBeGreaterThan(10);
      expect(section).toContain('assumption');
    }
  });
});
