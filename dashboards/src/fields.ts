/** Field-config pieces: units, threshold steps drawn as lines, links to the institution page. */
import { FieldColorModeId, type FieldConfigSource, ThresholdsMode } from '@grafana/schema';

export type Step = { readonly value: number; readonly color: string };

export function thresholds(steps: readonly Step[], base = 'green') {
  return {
    mode: ThresholdsMode.Absolute,
    steps: [{ color: base, value: null }, ...steps.map((s) => ({ color: s.color, value: s.value }))],
  };
}

/** Colour a value by the thresholds it has reached. */
export const BY_THRESHOLDS = { mode: FieldColorModeId.Thresholds };

/** A time series with its thresholds drawn as dashed lines (the early-warning thresholds). */
export function timeseriesFields(opts: {
  unit?: string;
  steps?: readonly Step[];
  stepped?: boolean;
  displayName?: string;
}): FieldConfigSource {
  return {
    defaults: {
      ...(opts.unit !== undefined && { unit: opts.unit }),
      ...(opts.displayName !== undefined && { displayName: opts.displayName }),
      thresholds: thresholds(opts.steps ?? []),
      custom: {
        drawStyle: 'line',
        lineInterpolation: opts.stepped ? 'stepAfter' : 'linear',
        showPoints: 'auto',
        spanNulls: true,
        thresholdsStyle: { mode: opts.steps?.length ? 'dashed' : 'off' },
      },
    },
    overrides: [],
  };
}

/** Link a table column holding institution codes to the 机构画像 dashboard. */
export function institutionLink(column: string) {
  return {
    matcher: { id: 'byName', options: column },
    properties: [
      {
        id: 'links',
        value: [
          {
            title: '查看机构画像',
            url: `/d/yibao-institution?var-institution=\${__value.raw}&\${__url_time_range}`,
          },
        ],
      },
    ],
  };
}

/**
 * Link a table column holding division codes to the 机构画像 dashboard filtered to them: the
 * `varsColumn` of the row holds the query string (`var-admdvs=510104&var-admdvs=510105`, the
 * 6-digit divisions under a 2- or 4-digit code). `${__data.fields…}` is inserted as it is, not
 * URL-encoded (grafana public/app/features/templating/dataMacros.ts `dataMacro` ignores the format
 * that link_srv.ts `getDataLinkUIModel` asks for), so the `&` and `=` stay.
 */
export function divisionLink(column: string, varsColumn: string) {
  return {
    matcher: { id: 'byName', options: column },
    properties: [
      {
        id: 'links',
        value: [
          {
            title: '查看本区划机构画像',
            url: `/d/yibao-institution?\${__data.fields.${varsColumn}}&\${__url_time_range}`,
          },
        ],
      },
    ],
  };
}

/** Keep a column in the frame (data links read it) but out of the table. */
export function hiddenColumn(column: string) {
  return {
    matcher: { id: 'byName', options: column },
    properties: [{ id: 'custom.hideFrom', value: { viz: true, legend: false, tooltip: false } }],
  };
}

export function tableFields(
  opts: {
    links?: readonly string[];
    units?: Readonly<Record<string, string>>;
    divisionLinks?: readonly { readonly column: string; readonly vars: string }[];
    hidden?: readonly string[];
  } = {},
) {
  return {
    defaults: { custom: { align: 'auto', cellOptions: { type: 'auto' } } },
    overrides: [
      ...(opts.links ?? []).map(institutionLink),
      ...(opts.divisionLinks ?? []).map((l) => divisionLink(l.column, l.vars)),
      ...(opts.hidden ?? []).map(hiddenColumn),
      ...Object.entries(opts.units ?? {}).map(([column, unit]) => ({
        matcher: { id: 'byName', options: column },
        properties: [{ id: 'unit', value: unit }],
      })),
    ],
  } satisfies FieldConfigSource;
}
