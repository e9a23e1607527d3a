/**
 * Registry records (EVENTS.md `institution`, `practitioner`), dated the day before the run:
 * institutions at 08:00 (managing hospitals before their village clinics), practitioners at 08:30.
 */
import type { InstitutionEvent, PractitionerEvent } from '../../schemas/events.ts';
import type { Stamped } from './settlements.ts';
import { chinaTime, DAY, HOUR, MINUTE } from './time.ts';
import type { World } from './world.ts';

export function* registryRecords(world: World): Generator<Stamped<InstitutionEvent | PractitionerEvent>> {
  const base = world.startMs - DAY + 8 * HOUR;
  const at = chinaTime(base);
  let n = 0;
  for (const inst of world.institutions) {
    const id = `reg-ins-${String(++n).padStart(6, '0')}`;
    const record = {
      type: 'institution',
      event_id: id,
      occurred_at: at,
      fixmedins_code: inst.code,
      name: inst.name,
    } as InstitutionEvent;
    if (inst.uscc !== undefined) record.uscc = inst.uscc;
    record.kind = inst.kind;
    record.inpatient = inst.inpatient;
    if (inst.level !== undefined) record.level = inst.level;
    record.admdvs = inst.division.admdvs;
    if (inst.chainId !== undefined) record.chain_id = inst.chainId;
    if (inst.parentCode !== undefined) record.parent_code = inst.parentCode;
    record.agreement_start = inst.agreementStart;
    yield { t: base, id, record };
  }
  const later = base + 30 * MINUTE;
  const atLater = chinaTime(later);
  n = 0;
  for (const p of world.staff.all) {
    const id = `reg-prc-${String(++n).padStart(7, '0')}`;
    const record: PractitionerEvent = {
      type: 'practitioner',
      event_id: id,
      occurred_at: atLater,
      practitioner_code: p.code,
      role: p.role,
      fixmedins_code: p.institution.code,
      qualified_since: p.qualifiedSince,
    };
    yield { t: later, id, record };
  }
}
