/**
 * Zod schemas for every input record of EVENTS.md, exactly as specified: strict objects (unknown
 * keys rejected), no coercion, cross-field checks in superRefine. Schemas are module constants,
 * built once (STYLE.md §3).
 */
import { z } from 'zod';
import {
  admdvs,
  date,
  eventId,
  fixmedinsCode,
  money,
  practitionerCode,
  psnNo,
  shortId,
  timestamp,
  uscc,
} from './primitives.ts';

const base = {
  event_id: eventId,
  occurred_at: timestamp,
};

export const INSTITUTION_KINDS = ['hospital', 'clinic', 'pharmacy', 'village_clinic'] as const;

export const institutionSchema = z
  .strictObject({
    type: z.literal('institution'),
    ...base,
    fixmedins_code: fixmedinsCode,
    name: z.string().min(1).max(200),
    uscc: uscc.optional(),
    kind: z.enum(INSTITUTION_KINDS),
    inpatient: z.boolean(),
    // One literal with three values, not a union: a union's rejection reads "Invalid input" and
    // would not say what was expected.
    level: z.literal([1, 2, 3]).optional(),
    admdvs,
    chain_id: z.string().min(1).max(64).optional(),
    parent_code: fixmedinsCode.optional(),
    agreement_start: date,
    agreement_end: date.optional(),
    agreement_end_reason: z.enum(['voluntary', 'violation', 'not_renewed']).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.kind === 'pharmacy' && r.inpatient) {
      ctx.addIssue({ code: 'custom', path: ['inpatient'], message: 'expected false for a pharmacy' });
    }
    if (r.agreement_end !== undefined && r.agreement_end < r.agreement_start) {
      ctx.addIssue({
        code: 'custom',
        path: ['agreement_end'],
        message: `is before agreement_start ${r.agreement_start}`,
      });
    }
    if (r.agreement_end_reason !== undefined && r.agreement_end === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['agreement_end_reason'],
        message: 'is given without agreement_end: expected both or neither',
      });
    }
  });

export const practitionerSchema = z.strictObject({
  type: z.literal('practitioner'),
  ...base,
  practitioner_code: practitionerCode,
  role: z.enum(['physician', 'nurse', 'pharmacist', 'technician']),
  fixmedins_code: fixmedinsCode,
  qualified_since: date,
});

export const itemSchema = z.strictObject({
  hilist_code: z.string().min(1).max(50),
  list_type: z.string().regex(/^\d{3}$/, { message: 'expected a 3-digit list_type such as 101, 201, 301' }),
  cnt: z.number().gt(0, { message: 'expected cnt > 0' }),
  pric: money,
  det_item_fee_sumamt: money,
  days_supply: z.number().int({ message: 'expected an integer' }).gt(0).optional(),
});

/** 医疗类别 starting with 2 is inpatient (EVENTS.md, settlement.med_type). */
export function isInpatientMedType(medType: string): boolean {
  return medType.startsWith('2');
}

export const settlementSchema = z
  .strictObject({
    type: z.literal('settlement'),
    ...base,
    setl_id: shortId,
    mdtrt_id: shortId,
    psn_no: psnNo,
    fixmedins_code: fixmedinsCode,
    practitioner_code: practitionerCode.optional(),
    med_type: z.string().regex(/^\d{2,6}$/, { message: 'expected a med_type of 2–6 digits' }),
    insutype: z.string().min(1).max(10).optional(),
    begntime: timestamp,
    endtime: timestamp.optional(),
    setl_time: timestamp,
    medfee_sumamt: money,
    fund_pay_sumamt: money,
    psn_cash_pay: money.optional(),
    acct_pay: money.optional(),
    dise_codg: z.string().min(1).max(20).optional(),
    items: z.array(itemSchema).max(500).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.fund_pay_sumamt > r.medfee_sumamt) {
      ctx.addIssue({
        code: 'custom',
        path: ['fund_pay_sumamt'],
        message: `is larger than medfee_sumamt ${r.medfee_sumamt}`,
      });
    }
    if (isInpatientMedType(r.med_type) && r.endtime === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['endtime'],
        message: `is missing: expected a discharge time for inpatient med_type ${r.med_type}`,
      });
    }
    if (r.endtime !== undefined && Date.parse(r.endtime) < Date.parse(r.begntime)) {
      ctx.addIssue({ code: 'custom', path: ['endtime'], message: `is before begntime ${r.begntime}` });
    }
  });

export const settlementReversalSchema = z.strictObject({
  type: z.literal('settlement_reversal'),
  ...base,
  setl_id: shortId,
  fixmedins_code: fixmedinsCode,
  psn_no: psnNo,
});

export const claimAuditSchema = z.strictObject({
  type: z.literal('claim_audit'),
  ...base,
  fixmedins_code: fixmedinsCode,
  practitioner_code: practitionerCode.optional(),
  setl_id: shortId.optional(),
  rule_code: z.string().min(1).max(64),
  reduced_amount: money,
  violation: z.boolean(),
});

export const SUPERVISION_ACTIONS = [
  'recovery',
  'interview',
  'agreement_suspension',
  'agreement_termination',
  'late_payment',
  'fraud',
  'penalty',
  'severe_list_added',
  'severe_list_removed',
  'joint_punishment_listed',
  'commitment',
  'verified_report',
  'honor',
  'repair',
  'assessment',
  'grade_published',
  'investigation_opened',
  'investigation_closed',
  'appeal_opened',
  'appeal_closed',
  'license_suspended',
  'license_restored',
] as const;
export type SupervisionAction = (typeof SUPERVISION_ACTIONS)[number];

export const BEHAVIORS = [
  'fictitious_service',
  'forged_documents',
  'false_invoice',
  'own_expense_to_fund',
  'split_admission',
  'hanging_bed',
  'lowered_admission',
  'non_designated_settlement',
  'identity_fraud',
  'substitution',
  'card_cashing',
  'over_treatment',
  'overcharge',
  'resale_facilitation',
  'non_covered_settlement',
  'no_internal_control',
  'obstruction',
  'card_lending',
  'duplicate_benefits',
  'drug_resale',
  'contribution_arrears',
  'other_fraud',
  'other',
] as const;
export type Behavior = (typeof BEHAVIORS)[number];

export const SUBJECT_KINDS = ['institution', 'practitioner', 'insured', 'employer'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

const SUBJECT_CODE_CHECK: Record<SubjectKind, z.ZodType<string>> = {
  institution: fixmedinsCode,
  practitioner: practitionerCode,
  insured: psnNo,
  employer: uscc,
};

export const supervisionSchema = z
  .strictObject({
    type: z.literal('supervision'),
    ...base,
    subject_kind: z.enum(SUBJECT_KINDS),
    subject_code: z.string().min(1).max(64),
    action: z.enum(SUPERVISION_ACTIONS),
    decided_at: date,
    amount: money.optional(),
    behavior: z.enum(BEHAVIORS).optional(),
    serious_consequence: z.boolean().optional(),
    document_no: z.string().min(1).max(100).optional(),
    ref_event_id: eventId.optional(),
    score: z
      .number()
      .min(0, { message: 'expected a score 0–100' })
      .max(100, { message: 'expected a score 0–100' })
      .optional(),
    grade: z.string().min(1).max(20).optional(),
    period: z.number().int({ message: 'expected an integer year' }).min(1990).max(2100).optional(),
    /**
     * Extension (optional): the insured person's division. When absent the decoder takes it from a
     * psn_no that starts with a 6-digit division code, before pseudonymising (POLICY.md: the
     * jurisdiction comes from the division).
     */
    subject_admdvs: admdvs.optional(),
  })
  .superRefine((r, ctx) => {
    const codeCheck = SUBJECT_CODE_CHECK[r.subject_kind].safeParse(r.subject_code);
    if (!codeCheck.success) {
      ctx.addIssue({
        code: 'custom',
        path: ['subject_code'],
        message: `${codeCheck.error.issues[0]?.message ?? 'is invalid'} (subject_kind ${r.subject_kind})`,
      });
    }
    const need = (field: keyof typeof r, why: string) => {
      if (r[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `is missing: expected it ${why}` });
      }
    };
    if (r.action === 'penalty') need('behavior', 'for action penalty');
    if (r.action === 'recovery') need('amount', 'for action recovery');
    if (r.action === 'repair') need('ref_event_id', 'for action repair (the fact being repaired)');
    if (r.action === 'assessment') {
      need('score', 'for action assessment');
      need('period', 'for action assessment');
    }
    if (r.action === 'grade_published') {
      need('grade', 'for action grade_published');
      need('period', 'for action grade_published');
    }
  });

export const RECORD_SCHEMAS = {
  institution: institutionSchema,
  practitioner: practitionerSchema,
  settlement: settlementSchema,
  settlement_reversal: settlementReversalSchema,
  claim_audit: claimAuditSchema,
  supervision: supervisionSchema,
} as const;

export type RecordType = keyof typeof RECORD_SCHEMAS;
export const RECORD_TYPES = Object.keys(RECORD_SCHEMAS) as RecordType[];

export const eventSchema = z.discriminatedUnion('type', [
  institutionSchema,
  practitionerSchema,
  settlementSchema,
  settlementReversalSchema,
  claimAuditSchema,
  supervisionSchema,
]);

export type InstitutionEvent = z.infer<typeof institutionSchema>;
export type PractitionerEvent = z.infer<typeof practitionerSchema>;
export type SettlementEvent = z.infer<typeof settlementSchema>;
export type SettlementItem = z.infer<typeof itemSchema>;
export type SettlementReversalEvent = z.infer<typeof settlementReversalSchema>;
export type ClaimAuditEvent = z.infer<typeof claimAuditSchema>;
export type SupervisionEvent = z.infer<typeof supervisionSchema>;
/** A validated record; personal identifiers in it are already pseudonymised tokens. */
export type MonitorEvent = z.infer<typeof eventSchema>;
