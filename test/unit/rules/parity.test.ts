/**
 * Parity across packs (STYLE.md §5, after Zod's locales parity test): the questions are derived
 * from the engine's pack contract, not listed here, and every pack answers each one — or says
 * explicitly that its seed does not cover it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACK_QUESTIONS } from '../../../rules/engine/types.ts';
import { PACKS } from '../../../rules/packs/index.ts';

const SEEDS = join(import.meta.dirname, '../../../../shared/seeds');

describe.each(PACKS.map((p) => [p.id, p] as const))('pack %s', (id, pack) => {
  it.each(PACK_QUESTIONS.map((q) => [q]))(
    'answers "%s" with an article, or says its seed does not cover it',
    (q) => {
      const a = pack.answers[q];
      expect(a, `${id} has no answer to ${q}`).toBeDefined();
      if ('not_covered' in a) expect(a.not_covered.length).toBeGreaterThan(10);
      else {
        expect(a.article).toMatch(/第.+条|附件/);
        expect(a.answer.length).toBeGreaterThan(5);
      }
    },
  );

  it('answers no question the contract does not ask', () => {
    expect(Object.keys(pack.answers).sort()).toEqual([...PACK_QUESTIONS].sort());
  });

  it('names its seed file, which holds the articles it cites', () => {
    expect(pack.seed).toMatch(/^00\d_[0-9a-f]{16}\.txt$/);
    const path = join(SEEDS, pack.seed);
    if (!existsSync(path)) return; // shared/ beside the project is optional for unit tests
    const text = readFileSync(path, 'utf8');
    for (const a of Object.values(pack.answers)) {
      if ('article' in a)
        for (const art of a.article.match(/第[一二三四五六七八九十百]+条/g) ?? [])
          expect(text, `${id} cites ${art}`).toContain(art);
    }
  });

  it('has a version in force with an article, and consequences only for levels of its scales', () => {
    expect(pack.versions.length).toBeGreaterThan(0);
    for (const v of pack.versions) expect(v.article).toMatch(/第.+条/);
    const levels = new Set(Object.values(pack.levels).flat());
    for (const c of pack.consequences) {
      expect(levels, `${id} consequence for unknown level ${c.level}`).toContain(c.level);
      expect(c.article).toMatch(/第.+条/);
      expect(c.measures.length).toBeGreaterThan(0);
    }
  });

  it('says why for every assumption, and lists each one in its README', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../rules/packs', id, 'README.md'), 'utf8');
    for (const [name, a] of Object.entries(pack.assumptions)) {
      expect(a.why.length, `${id}.${name} has no why`).toBeGreaterThan(10);
      expect(readme, `${id}/README.md does not list ${name}`).toContain(name);
    }
  });

  it('covers the subject kinds its seed names, each with a scale', () => {
    expect(Object.keys(pack.scales).length).toBeGreaterThan(0);
    for (const scale of Object.values(pack.scales)) expect(pack.levels[scale!]?.length).toBeGreaterThan(1);
  });
});
