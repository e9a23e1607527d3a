/**
 * The simulated population's institutions: every kind in every division, pharmacy chains, and
 * each institution's size (visits per day before scaling) and price level. Built once from the
 * seed; the registry records (registry.ts) and the daily traffic (traffic.ts) read it.
 */
import { fixmedinsCode, uscc } from './codes.ts';
import { DIVISIONS, type Division } from './geography.ts';
import { label, Rng } from './rng.ts';
import { addDays } from './time.ts';

export type InstitutionKind = 'hospital' | 'clinic' | 'pharmacy' | 'village_clinic';

export type SimInstitution = {
  readonly index: number;
  readonly code: string;
  readonly name: string;
  readonly uscc: string | undefined;
  readonly kind: InstitutionKind;
  readonly level: 1 | 2 | 3 | undefined;
  readonly inpatient: boolean;
  readonly division: Division;
  readonly divisionIndex: number;
  readonly chainId: string | undefined;
  readonly parentCode: string | undefined;
  readonly agreementStart: string;
  /** Acute visits (or pharmacy sales) per weekday before the volume scale. */
  readonly outpatientWeight: number;
  /** Discharges per working day before the volume scale (hospitals only). */
  readonly inpatientWeight: number;
  /** Institution-specific price level around its peers (0.88–1.14). */
  readonly priceFactor: number;
  /** Position of the first discharge in the even discharge schedule, [0, 1). */
  readonly dischargePhase: number;
};

type Slot = {
  readonly divisionIndex: number;
  readonly kind: InstitutionKind;
  readonly level?: 1 | 2 | 3;
  readonly chainId?: string;
  readonly brand?: string;
};

/** Sichuan chains: the first two carry the chain-rule injections (20 and 18 branches). */
const SICHUAN_BRANDS = [
  ['SC-KANGTAI', '康泰'],
  ['SC-RENHE', '仁和康'],
  ['SC-JIMIN', '济民堂'],
  ['SC-BAICAO', '百草园'],
  ['SC-ANKANG', '安康源'],
  ['SC-FUSHOU', '福寿堂'],
] as const;
const OTHER_CHAINS = [
  { jurisdiction: 'guangdong', chainId: 'GD-YISHENG', brand: '益生', size: 6 },
  { jurisdiction: 'jiangsu', chainId: 'JS-HUICHUN', brand: '回春堂', size: 5 },
] as const;
export const CHAIN_D_TARGET_SIZE = 20;
export const CHAIN_E_TARGET_SIZE = 18;

/** Nominal daily volume per kind (at scale 1): acute visits or sales, and discharges. */
const NOMINAL = {
  hospital3: { out: 1000, in: 60 },
  hospital2: { out: 300, in: 20 },
  hospital1: { out: 80, in: 4 },
  clinic: { out: 40, in: 0 },
  village_clinic: { out: 10, in: 0 },
  pharmacy: { out: 50, in: 0 },
} as const;

/** Shares of the institutions beyond the fixed core, by kind (urban / rural divisions). */
const URBAN_SHARES: readonly [InstitutionKind, 1 | 2 | 3 | undefined, number][] = [
  ['hospital', 3, 0.015],
  ['hospital', 2, 0.05],
  ['hospital', 1, 0.06],
  ['clinic', undefined, 0.32],
  ['pharmacy', undefined, 0.555],
];
const RURAL_SHARES: readonly [InstitutionKind, 1 | 2 | 3 | undefined, number][] = [
  ['hospital', 2, 0.03],
  ['hospital', 1, 0.1],
  ['clinic', undefined, 0.2],
  ['village_clinic', undefined, 0.25],
  ['pharmacy', undefined, 0.42],
];

function coreSlots(): Slot[] {
  const slots: Slot[] = [];
  DIVISIONS.forEach((d, i) => {
    if (!d.rural) slots.push({ divisionIndex: i, kind: 'hospital', level: 3 });
    slots.push({ divisionIndex: i, kind: 'hospital', level: 2 });
    slots.push({ divisionIndex: i, kind: 'hospital', level: 1 });
    slots.push({ divisionIndex: i, kind: 'clinic' }, { divisionIndex: i, kind: 'clinic' });
    slots.push({ divisionIndex: i, kind: 'pharmacy' }, { divisionIndex: i, kind: 'pharmacy' });
    if (d.rural)
      slots.push({ divisionIndex: i, kind: 'village_clinic' }, { divisionIndex: i, kind: 'village_clinic' });
    if (d.jurisdiction === 'chongqing-wushan') {
      // 巫山: township hospitals with beds, and outpatient clinics, for the assessment and the
      // deduction paths of the pack.
      slots.push({ divisionIndex: i, kind: 'hospital', level: 1 }, { divisionIndex: i, kind: 'clinic' });
    }
  });
  return slots;
}

function chainSlots(institutions: number, rng: Rng): Slot[] {
  const sichuan = DIVISIONS.map((d, i) => ({ d, i })).filter((x) => x.d.jurisdiction === 'sichuan');
  const sizes = [CHAIN_D_TARGET_SIZE, CHAIN_E_TARGET_SIZE, 12];
  const extra = Math.min(SICHUAN_BRANDS.length - 3, Math.floor(Math.max(0, institutions - 400) / 250));
  for (let k = 0; k < extra; k++) sizes.push(rng.int(10, 25));
  const slots: Slot[] = [];
  sizes.forEach((size, c) => {
    const [chainId, brand] = SICHUAN_BRANDS[c] ?? SICHUAN_BRANDS[0];
    for (let b = 0; b < size; b++) {
      const { i } = sichuan[(b + c) % sichuan.length] ?? sichuan[0]!;
      slots.push({ divisionIndex: i, kind: 'pharmacy', chainId, brand });
    }
  });
  for (const ch of OTHER_CHAINS) {
    const divs = DIVISIONS.map((d, i) => ({ d, i })).filter((x) => x.d.jurisdiction === ch.jurisdiction);
    for (let b = 0; b < ch.size; b++) {
      const { i } = divs[b % divs.length] ?? divs[0]!;
      slots.push({ divisionIndex: i, kind: 'pharmacy', chainId: ch.chainId, brand: ch.brand });
    }
  }
  return slots;
}

/** Largest-remainder apportionment of `count` institutions over (division, kind) cells. */
function remainderSlots(count: number): Slot[] {
  const cells: { slot: Slot; quota: number }[] = [];
  const totalWeight = DIVISIONS.reduce((s, d) => s + d.weight, 0);
  DIVISIONS.forEach((d, i) => {
    for (const [kind, level, share] of d.rural ? RURAL_SHARES : URBAN_SHARES) {
      const slot: Slot = level === undefined ? { divisionIndex: i, kind } : { divisionIndex: i, kind, level };
      cells.push({ slot, quota: (count * share * d.weight) / totalWeight });
    }
  });
  const counts = cells.map((c) => Math.floor(c.quota));
  let left = count - counts.reduce((s, n) => s + n, 0);
  const order = cells
    .map((c, i) => ({ i, r: c.quota - Math.floor(c.quota) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
    left--;
  }
  return cells.flatMap((c, i) => Array.from({ length: counts[i] ?? 0 }, () => c.slot));
}

export const MIN_INSTITUTIONS = coreSlots().length + chainSlots(0, new Rng(0)).length;

const L3_NAMES = ['第一人民医院', '中心医院', '中医医院', '第二人民医院', '妇女儿童医院'];
const L2_NAMES = [
  '人民医院',
  '中医医院',
  '妇幼保健院',
  '第三人民医院',
  '骨科医院',
  '康复医院',
  '第四人民医院',
];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡'];
const VILLAGES = ['红岩', '青山', '桃园', '柳溪', '石桥', '白果', '新民', '双河', '龙泉', '竹林'];
const PHARMACY_NAMES = ['康宁', '德仁', '惠民', '寿康', '益寿', '众康', '天和', '济世', '瑞康', '春和'];

function nameOf(slot: Slot, d: Division, n: number, rng: Rng): string {
  const town = rng.pick(d.towns);
  switch (slot.kind) {
    case 'hospital':
      if (slot.level === 3) return `${d.name}${L3_NAMES[n % L3_NAMES.length]}`;
      if (slot.level === 2) return `${d.name}${L2_NAMES[n % L2_NAMES.length]}`;
      return d.rural ? `${d.district}${town}镇中心卫生院` : `${d.name}${town}街道社区卫生服务中心`;
    case 'clinic':
      return rng.chance(0.5)
        ? `${d.district}${town}${rng.pick(SURNAMES)}氏诊所`
        : `${d.name}${town}${['综合', '中医', '口腔', '全科'][n % 4]}门诊部`;
    case 'village_clinic':
      return `${d.district}${town}镇${rng.pick(VILLAGES)}村卫生室`;
    case 'pharmacy':
      return slot.brand !== undefined
        ? `${slot.brand}大药房连锁有限公司${d.district}${town}店`
        : `${d.district}${rng.pick(PHARMACY_NAMES)}大药房`;
  }
}

function nominalOf(slot: Slot): { out: number; in: number } {
  if (slot.kind === 'hospital') return NOMINAL[`hospital${slot.level ?? 1}`];
  return NOMINAL[slot.kind];
}

/**
 * Institutions in registry order: per division hospitals (tertiary first), clinics, pharmacies;
 * village clinics last, so each one's managing township hospital is registered before it.
 */
export function buildInstitutions(seed: number, institutions: number, start: string): SimInstitution[] {
  const rng = Rng.of(seed, label('institutions'));
  const slots = [...coreSlots(), ...chainSlots(institutions, rng)];
  slots.push(...remainderSlots(institutions - slots.length));
  const rank = (s: Slot) =>
    s.kind === 'village_clinic'
      ? 9
      : s.kind === 'hospital'
        ? 3 - (s.level ?? 1)
        : s.kind === 'clinic'
          ? 4
          : 5;
  const ordered = slots
    .map((s, i) => ({ s, i }))
    .sort(
      (a, b) =>
        Number(a.s.kind === 'village_clinic') - Number(b.s.kind === 'village_clinic') ||
        a.s.divisionIndex - b.s.divisionIndex ||
        rank(a.s) - rank(b.s) ||
        a.i - b.i,
    )
    .map((x) => x.s);

  const serials = new Map<string, number>();
  const nextSerial = (key: string) => {
    const n = (serials.get(key) ?? 0) + 1;
    serials.set(key, n);
    return n;
  };
  const townshipByDivision = new Map<number, SimInstitution[]>();
  const out: SimInstitution[] = [];
  for (const slot of ordered) {
    const d = DIVISIONS[slot.divisionIndex]!;
    const prefix = slot.kind === 'pharmacy' ? 'P' : 'H';
    const serial = nextSerial(`${prefix}${d.admdvs}`);
    const nominal = nominalOf(slot);
    const size =
      slot.chainId !== undefined
        ? rng.between(0.8, 1.2)
        : slot.kind === 'hospital'
          ? rng.between(0.7, 1.35)
          : rng.between(0.6, 1.5);
    let parentCode: string | undefined;
    if (slot.kind === 'village_clinic') {
      const parents = townshipByDivision.get(slot.divisionIndex) ?? [];
      parentCode = parents[serial % Math.max(1, parents.length)]?.code;
    }
    const registrar =
      slot.kind === 'hospital' ? '12' : slot.kind === 'pharmacy' ? '91' : rng.chance(0.5) ? '52' : '91';
    const inst: SimInstitution = {
      index: out.length,
      code: fixmedinsCode(prefix, d.admdvs, serial),
      name: nameOf(slot, d, serial, rng),
      uscc: slot.kind === 'village_clinic' ? undefined : uscc(registrar, d.admdvs, rng),
      kind: slot.kind,
      level: slot.kind === 'hospital' ? (slot.level ?? 1) : undefined,
      inpatient: slot.kind === 'hospital',
      division: d,
      divisionIndex: slot.divisionIndex,
      chainId: slot.chainId,
      parentCode,
      agreementStart: addDays(start, -rng.int(400, 15 * 365)),
      outpatientWeight: nominal.out * size,
      inpatientWeight: nominal.in * size,
      priceFactor: rng.between(0.88, 1.14),
      dischargePhase: rng.float(),
    };
    if (inst.kind === 'hospital' && inst.level === 1) {
      townshipByDivision.set(slot.divisionIndex, [
        ...(townshipByDivision.get(slot.divisionIndex) ?? []),
        inst,
      ]);
    }
    out.push(inst);
  }
  return out;
}
