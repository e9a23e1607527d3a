import { describe, it } from 'vitest';
import { example, withFields } from './examples.ts';
import { envelopeRejections, expectAccepted, expectRejected, type RejectionCase } from './support.ts';

const hospital = example('reg-0001');
const pharmacy = example('reg-0002');
const villageClinic = example('reg-0003');

const FIXMEDINS = 'expected a fixmedins_code: H or P + 6-digit division + 5-digit serial (12 chars)';
const USCC = 'expected an 18-char USCC with a valid GB 32100-2015 check character';
const DATE = 'expected a calendar date YYYY-MM-DD';
const KINDS = 'expected one of "hospital", "clinic", "pharmacy", "village_clinic"';

describe('institution records', () => {
  it.each([
    ['the hospital of examples.ndjson', hospital],
    ['the chain pharmacy of examples.ndjson', pharmacy],
    ['the village clinic of examples.ndjson', villageClinic],
    [
      'a hospital with the valid USCC 91350100M000100Y43',
      withFields(hospital, { uscc: '91350100M000100Y43' }),
    ],
    [
      'a hospital without the optional uscc and level',
      withFields(hospital, { uscc: undefined, level: undefined }),
    ],
    ['a grade-3 hospital', withFields(hospital, { level: 3 })],
    [
      'an agreement that ends on the day it starts, with a reason',
      withFields(hospital, { agreement_end: '2016-03-01', agreement_end_reason: 'violation' }),
    ],
    [
      'an agreement start on 29 February of a leap year',
      withFields(hospital, { agreement_start: '2024-02-29' }),
    ],
    ['a clinic without inpatient care', withFields(hospital, { kind: 'clinic', inpatient: false })],
  ])('%s is accepted', (_name, record) => {
    expectAccepted(record);
  });

  const cases: RejectionCase[] = [
    ...envelopeRejections(hospital),
    [
      'a fixmedins_code with prefix X is rejected',
      withFields(hospital, { fixmedins_code: 'X51010700003' }),
      `institution.fixmedins_code: "X51010700003" is invalid: ${FIXMEDINS}`,
    ],
    [
      'a fixmedins_code of 11 chars is rejected',
      withFields(hospital, { fixmedins_code: 'H5101070000' }),
      `institution.fixmedins_code: "H5101070000" is invalid: ${FIXMEDINS}`,
    ],
    [
      'a fixmedins_code with a lower-case prefix is rejected',
      withFields(hospital, { fixmedins_code: 'h51010700003' }),
      `institution.fixmedins_code: "h51010700003" is invalid: ${FIXMEDINS}`,
    ],
    [
      'a missing fixmedins_code is rejected',
      withFields(hospital, { fixmedins_code: undefined }),
      'institution.fixmedins_code: is missing: expected string',
    ],
    [
      'a missing name is rejected',
      withFields(hospital, { name: undefined }),
      'institution.name: is missing: expected string',
    ],
    [
      'an empty name is rejected',
      withFields(hospital, { name: '' }),
      'institution.name: "" is invalid: Too small: expected string to have >=1 characters',
    ],
    [
      'a numeric name is not coerced',
      withFields(hospital, { name: 1 }),
      'institution.name: 1 is invalid: expected string, got number',
    ],
    [
      'a uscc with a wrong check character is rejected',
      withFields(hospital, { uscc: '91350100M000100Y44' }),
      `institution.uscc: "91350100M000100Y44" is invalid: ${USCC}`,
    ],
    [
      'a uscc of 17 chars is rejected',
      withFields(hospital, { uscc: '91350100M000100Y4' }),
      `institution.uscc: "91350100M000100Y4" is invalid: ${USCC}`,
    ],
    [
      'a uscc with the letter O, outside the GB 32100 alphabet, is rejected',
      withFields(hospital, { uscc: '91350100MO00100Y43' }),
      `institution.uscc: "91350100MO00100Y43" is invalid: ${USCC}`,
    ],
    [
      'a kind outside the enum is rejected',
      withFields(hospital, { kind: 'hospitals' }),
      `institution.kind: "hospitals" is invalid: ${KINDS}`,
    ],
    [
      'a missing kind is rejected',
      withFields(hospital, { kind: undefined }),
      `institution.kind: is missing: ${KINDS}`,
    ],
    [
      'inpatient 1 is not coerced to a boolean',
      withFields(hospital, { inpatient: 1 }),
      'institution.inpatient: 1 is invalid: expected boolean, got number',
    ],
    [
      'inpatient "true" is not coerced to a boolean',
      withFields(hospital, { inpatient: 'true' }),
      'institution.inpatient: "true" is invalid: expected boolean, got string',
    ],
    [
      'a missing inpatient is rejected',
      withFields(hospital, { inpatient: undefined }),
      'institution.inpatient: is missing: expected boolean',
    ],
    [
      'level 4 is rejected naming the three grades',
      withFields(hospital, { level: 4 }),
      'institution.level: 4 is invalid: expected one of 1, 2, 3',
    ],
    [
      'level "2" is not coerced',
      withFields(hospital, { level: '2' }),
      'institution.level: "2" is invalid: expected one of 1, 2, 3',
    ],
    [
      'an admdvs of 5 digits is rejected',
      withFields(hospital, { admdvs: '51010' }),
      'institution.admdvs: "51010" is invalid: expected a 6-digit division code (GB/T 2260)',
    ],
    [
      'an admdvs with a letter is rejected',
      withFields(hospital, { admdvs: '51010A' }),
      'institution.admdvs: "51010A" is invalid: expected a 6-digit division code (GB/T 2260)',
    ],
    [
      'a numeric admdvs is not coerced',
      withFields(hospital, { admdvs: 510107 }),
      'institution.admdvs: 510107 is invalid: expected string, got number',
    ],
    [
      'an empty chain_id is rejected',
      withFields(pharmacy, { chain_id: '' }),
      'institution.chain_id: "" is invalid: Too small: expected string to have >=1 characters',
    ],
    [
      'a parent_code that is not a fixmedins_code is rejected',
      withFields(villageClinic, { parent_code: 'H5002370010' }),
      `institution.parent_code: "H5002370010" is invalid: ${FIXMEDINS}`,
    ],
    [
      'a missing agreement_start is rejected',
      withFields(hospital, { agreement_start: undefined }),
      'institution.agreement_start: is missing: expected string',
    ],
    [
      'an agreement_start without zero padding is rejected',
      withFields(hospital, { agreement_start: '2016-3-1' }),
      `institution.agreement_start: "2016-3-1" is invalid: ${DATE}`,
    ],
    [
      'an agreement_start on 30 February is rejected',
      withFields(hospital, { agreement_start: '2016-02-30' }),
      `institution.agreement_start: "2016-02-30" is invalid: ${DATE}`,
    ],
    [
      'an agreement_start given as a timestamp is rejected',
      withFields(hospital, { agreement_start: '2016-03-01T00:00:00+08:00' }),
      `institution.agreement_start: "2016-03-01T00:00:00+08:00" is invalid: ${DATE}`,
    ],
    [
      'an agreement_end in month 13 is rejected',
      withFields(hospital, { agreement_end: '2025-13-01' }),
      `institution.agreement_end: "2025-13-01" is invalid: ${DATE}`,
    ],
    [
      'an agreement_end before agreement_start is rejected naming both dates',
      withFields(hospital, { agreement_end: '2016-02-29' }),
      'institution.agreement_end: "2016-02-29" is before agreement_start 2016-03-01',
    ],
    [
      'an agreement_end_reason outside the enum is rejected',
      withFields(hospital, { agreement_end: '2025-12-31', agreement_end_reason: 'expired' }),
      'institution.agreement_end_reason: "expired" is invalid: expected one of "voluntary", "violation", "not_renewed"',
    ],
    [
      'an agreement_end_reason without agreement_end is rejected',
      withFields(hospital, { agreement_end_reason: 'violation' }),
      'institution.agreement_end_reason: "violation" is given without agreement_end: expected both or neither',
    ],
    [
      'a pharmacy with inpatient true is rejected',
      withFields(pharmacy, { inpatient: true }),
      'institution.inpatient: true is invalid: expected false for a pharmacy',
    ],
  ];

  it.each(cases)('%s', (_name, record, message) => {
    expectRejected(record, message);
  });
});
