/**
 * The divisions (医保区划, GB/T 2260) the simulated population lives in: two to four per
 * jurisdiction of POLICY.md, and 北京市朝阳区, which no pack covers (standings say `pack: null`).
 */
export type Jurisdiction = 'sichuan' | 'chongqing-wushan' | 'guangdong' | 'jiangsu' | 'xinjiang' | null;

export type Division = {
  readonly admdvs: string;
  /** Full name, used in institution names. */
  readonly name: string;
  /** The district or county part (锦江区, 巫山县). */
  readonly district: string;
  readonly jurisdiction: Jurisdiction;
  /** Rural divisions have village clinics; urban ones have tertiary hospitals. */
  readonly rural: boolean;
  /** Relative size (institutions and people). */
  readonly weight: number;
  /** Issuing authority abbreviation on decision documents (文书号). */
  readonly doc: string;
  /** Township or street names for clinics and village clinics. */
  readonly towns: readonly string[];
};

export const DIVISIONS: readonly Division[] = [
  {
    admdvs: '510104',
    name: '成都市锦江区',
    district: '锦江区',
    jurisdiction: 'sichuan',
    rural: false,
    weight: 1,
    doc: '锦医保',
    towns: ['春熙路', '书院街', '合江亭', '牛市口', '双桂路'],
  },
  {
    admdvs: '510105',
    name: '成都市青羊区',
    district: '青羊区',
    jurisdiction: 'sichuan',
    rural: false,
    weight: 0.8,
    doc: '青医保',
    towns: ['草市街', '少城', '府南', '光华', '苏坡'],
  },
  {
    admdvs: '510107',
    name: '成都市武侯区',
    district: '武侯区',
    jurisdiction: 'sichuan',
    rural: false,
    weight: 1.2,
    doc: '武医保',
    towns: ['浆洗街', '玉林', '火车南站', '簇桥', '红牌楼'],
  },
  {
    admdvs: '510681',
    name: '德阳市广汉市',
    district: '广汉市',
    jurisdiction: 'sichuan',
    rural: true,
    weight: 0.8,
    doc: '广汉医保',
    towns: ['雒城', '三星堆', '向阳', '小汉', '金鱼', '南兴'],
  },
  {
    admdvs: '500237',
    name: '重庆市巫山县',
    district: '巫山县',
    jurisdiction: 'chongqing-wushan',
    rural: true,
    weight: 1.2,
    doc: '巫医保',
    towns: ['高唐', '龙门', '大昌', '福田', '官渡', '骡坪', '庙宇', '双龙'],
  },
  {
    admdvs: '440104',
    name: '广州市越秀区',
    district: '越秀区',
    jurisdiction: 'guangdong',
    rural: false,
    weight: 1,
    doc: '穗医保',
    towns: ['北京街', '东山', '农林', '梅花村', '六榕'],
  },
  {
    admdvs: '440305',
    name: '深圳市南山区',
    district: '南山区',
    jurisdiction: 'guangdong',
    rural: false,
    weight: 1,
    doc: '深医保',
    towns: ['南头', '蛇口', '粤海', '西丽', '桃源'],
  },
  {
    admdvs: '320102',
    name: '南京市玄武区',
    district: '玄武区',
    jurisdiction: 'jiangsu',
    rural: false,
    weight: 0.9,
    doc: '宁医保',
    towns: ['梅园新村', '新街口', '玄武门', '孝陵卫', '锁金村'],
  },
  {
    admdvs: '320583',
    name: '苏州市昆山市',
    district: '昆山市',
    jurisdiction: 'jiangsu',
    rural: true,
    weight: 1,
    doc: '昆医保',
    towns: ['玉山', '周市', '陆家', '花桥', '千灯', '周庄', '锦溪'],
  },
  {
    admdvs: '650102',
    name: '乌鲁木齐市天山区',
    district: '天山区',
    jurisdiction: 'xinjiang',
    rural: false,
    weight: 0.9,
    doc: '乌医保',
    towns: ['燕儿窝', '胜利路', '团结路', '解放南路', '新华南路'],
  },
  {
    admdvs: '650104',
    name: '乌鲁木齐市新市区',
    district: '新市区',
    jurisdiction: 'xinjiang',
    rural: false,
    weight: 0.7,
    doc: '乌医保',
    towns: ['北京路', '二工', '三工', '高新街', '杭州路'],
  },
  {
    admdvs: '110105',
    name: '北京市朝阳区',
    district: '朝阳区',
    jurisdiction: null,
    rural: false,
    weight: 0.8,
    doc: '京朝医保',
    towns: ['建外', '朝外', '呼家楼', '八里庄', '望京'],
  },
];

export function divisionsOf(jurisdiction: Jurisdiction): readonly Division[] {
  return DIVISIONS.filter((d) => d.jurisdiction === jurisdiction);
}
