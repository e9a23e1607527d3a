/**
 * What people are treated for and what they are charged: ICD-10 diagnoses with their usual drugs,
 * and fee-line items with 医保目录 codes (drugs `X…`/`Z…`, 中药饮片 `T…`, 医疗服务 15-digit codes,
 * 医用耗材 `C…`). Prices in fen. The lists are illustrative, not the national catalogue.
 */

export type ListType = '101' | '102' | '201' | '301';
export type CatalogItem = { readonly code: string; readonly list: ListType; readonly fen: number };

const drug = (code: string, fen: number): CatalogItem => ({ code, list: '101', fen });
const service = (code: string, fen: number): CatalogItem => ({ code, list: '201', fen });

export const SERVICES = {
  consult: service('001102000010000', 1000), // 门急诊诊查费 (scaled by level)
  bloodRoutine: service('002502010010000', 2500), // 血常规
  crp: service('002503040010000', 3500), // C反应蛋白
  biochem: service('002503010010000', 12000), // 生化全套
  xray: service('002101000010000', 8000), // X线摄影
  ultrasound: service('002201000010000', 15000), // 彩色多普勒超声
  ct: service('002102000010000', 32000), // CT
  ecg: service('003101000010000', 2500), // 心电图
  bed: service('001103000010000', 4000), // 床位费 / 日 (scaled by level)
  nursing: service('001201000010000', 2500), // 护理费 / 日
  infusion: service('001202000010000', 1500), // 静脉输液 / 次
  surgery: service('003307000010000', 280000), // 手术费 (scaled)
  anaesthesia: service('003303000010000', 90000), // 麻醉费
} as const;

export const CONSUMABLES: readonly CatalogItem[] = [
  { code: 'C0301010010000000001', list: '301', fen: 1800 }, // 输液器
  { code: 'C0201030020000000003', list: '301', fen: 4500 }, // 留置针
  { code: 'C1401020010000000012', list: '301', fen: 68000 }, // 吻合器钉仓
  { code: 'C0701050030000000021', list: '301', fen: 1200 }, // 敷料
];

/** Drugs of acute care (days of supply 3–7 at clinics, 3–10 at pharmacies). */
export const ACUTE_DRUGS = {
  amoxicillin: drug('XJ01CAA040A001', 1250),
  cefuroxime: drug('XJ01DCA011A001', 2800),
  ambroxol: drug('XR05CBA003A001', 1860),
  paracetamol: drug('XN02BEA001A001', 680),
  omeprazole: drug('XA02BCA001A001', 1520),
  ibuprofen: drug('XM01AEA001A001', 990),
  mometasone: drug('XD07ACA001A001', 2450),
  levofloxacinEye: drug('XS01AAA001A001', 1680),
  smectite: drug('XA07BCA001A001', 1120),
  lianhua: drug('ZA01AAL0001A001', 1480), // 连花清瘟胶囊 (中成药, list 101)
  banlangen: drug('ZA04BAB0012A001', 850), // 板蓝根颗粒
  diclofenacGel: drug('XM02AAA001A001', 2200),
  loratadine: drug('XR06AXA001A001', 1750),
  levofloxacin: drug('XJ01MAA012A001', 2600),
} as const;

/** 中药饮片 (list 102), sold by the gram at pharmacies. */
export const HERBS: readonly CatalogItem[] = [
  { code: 'T000100015', list: '102', fen: 18 }, // 黄芪
  { code: 'T000200231', list: '102', fen: 42 }, // 当归
  { code: 'T000600078', list: '102', fen: 26 }, // 枸杞子
];

export type Diagnosis = {
  readonly icd: string;
  readonly weight: number;
  readonly drugs: readonly CatalogItem[];
  readonly exams: readonly CatalogItem[];
};

const A = ACUTE_DRUGS;
const S = SERVICES;

export const OUTPATIENT_DIAGNOSES: readonly Diagnosis[] = [
  {
    icd: 'J06.9',
    weight: 22,
    drugs: [A.lianhua, A.paracetamol, A.amoxicillin, A.banlangen],
    exams: [S.bloodRoutine],
  },
  {
    icd: 'J20.9',
    weight: 10,
    drugs: [A.cefuroxime, A.ambroxol, A.amoxicillin],
    exams: [S.bloodRoutine, S.xray],
  },
  {
    icd: 'J02.9',
    weight: 8,
    drugs: [A.amoxicillin, A.banlangen, A.paracetamol],
    exams: [S.bloodRoutine, S.crp],
  },
  { icd: 'K29.7', weight: 9, drugs: [A.omeprazole, A.smectite], exams: [S.ultrasound] },
  { icd: 'K52.9', weight: 6, drugs: [A.smectite, A.levofloxacin], exams: [S.bloodRoutine] },
  { icd: 'M54.5', weight: 8, drugs: [A.ibuprofen, A.diclofenacGel], exams: [S.xray] },
  { icd: 'M17.9', weight: 5, drugs: [A.diclofenacGel, A.ibuprofen], exams: [S.xray, S.ct] },
  { icd: 'L30.9', weight: 5, drugs: [A.mometasone, A.loratadine], exams: [] },
  { icd: 'H10.9', weight: 4, drugs: [A.levofloxacinEye], exams: [] },
  { icd: 'N39.0', weight: 5, drugs: [A.levofloxacin, A.cefuroxime], exams: [S.bloodRoutine, S.ultrasound] },
  { icd: 'R51', weight: 4, drugs: [A.paracetamol, A.ibuprofen], exams: [S.ct, S.ecg] },
  { icd: 'K21.9', weight: 4, drugs: [A.omeprazole], exams: [S.ecg] },
];

/** Long-term conditions: a 30-day refill of one drug every month (门诊慢特病, med_type 14). */
export type ChronicCondition = {
  readonly icd: string;
  readonly drug: CatalogItem;
  /** Tablets or doses per box; boxes dispensed cover 30 days. */
  readonly daysPerBox: number;
  readonly weight: number;
};

export const CHRONIC_CONDITIONS: readonly ChronicCondition[] = [
  { icd: 'I10', drug: drug('XC08CAA001A001', 3060), daysPerBox: 14, weight: 40 }, // 氨氯地平
  { icd: 'E11.9', drug: drug('XA10BAA001A001', 2580), daysPerBox: 10, weight: 25 }, // 二甲双胍
  { icd: 'I25.1', drug: drug('XC10AAA001A001', 3520), daysPerBox: 7, weight: 12 }, // 阿托伐他汀
  { icd: 'E78.5', drug: drug('XC10AAA007A001', 4200), daysPerBox: 14, weight: 10 }, // 瑞舒伐他汀
  { icd: 'J44.9', drug: drug('XR03BBA004A001', 9850), daysPerBox: 30, weight: 8 }, // 噻托溴铵
  { icd: 'N18.9', drug: drug('XV03AEA002A001', 12000), daysPerBox: 15, weight: 5 }, // 碳酸司维拉姆
];

/** Inpatient diagnoses; `surgical` stays carry surgery, anaesthesia and consumables. */
export type InpatientDiagnosis = {
  readonly icd: string;
  readonly weight: number;
  readonly surgical: boolean;
  readonly minLevel: 1 | 2 | 3;
};

export const INPATIENT_DIAGNOSES: readonly InpatientDiagnosis[] = [
  { icd: 'J18.9', weight: 20, surgical: false, minLevel: 1 }, // 肺炎
  { icd: 'J44.1', weight: 10, surgical: false, minLevel: 1 }, // 慢阻肺急性加重
  { icd: 'I63.9', weight: 12, surgical: false, minLevel: 1 }, // 脑梗死
  { icd: 'I50.9', weight: 7, surgical: false, minLevel: 1 }, // 心力衰竭
  { icd: 'E11.9', weight: 5, surgical: false, minLevel: 1 }, // 2型糖尿病
  { icd: 'O80', weight: 6, surgical: false, minLevel: 1 }, // 单胎顺产
  { icd: 'K80.2', weight: 6, surgical: true, minLevel: 2 }, // 胆囊结石
  { icd: 'K35.8', weight: 5, surgical: true, minLevel: 1 }, // 急性阑尾炎
  { icd: 'N20.0', weight: 5, surgical: true, minLevel: 2 }, // 肾结石
  { icd: 'S72.0', weight: 4, surgical: true, minLevel: 2 }, // 股骨颈骨折
  { icd: 'I21.9', weight: 4, surgical: true, minLevel: 3 }, // 急性心肌梗死
  { icd: 'C34.9', weight: 4, surgical: false, minLevel: 3 }, // 肺恶性肿瘤 (化疗)
];

export const INPATIENT_DRUGS = {
  ceftriaxone: drug('XJ01DDA049B002', 860), // 头孢曲松钠注射剂 / 支
  saline: drug('XB05BBA001B001', 350), // 氯化钠注射液 / 袋
  heparin: drug('XB01ABA001B001', 2400), // 低分子肝素 / 支
  chemo: drug('XL01BCA002B001', 45000), // 化疗药 / 支
} as const;

/** Drugs given home at discharge: 7 days of supply. */
export const DISCHARGE_DRUGS: readonly CatalogItem[] = [
  A.cefuroxime,
  A.omeprazole,
  drug('XB01ACA006A001', 1250), // 阿司匹林肠溶片
  drug('XC03CAA001A001', 980), // 呋塞米片
];
