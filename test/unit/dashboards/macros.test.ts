// The expansion against the plugin's and Grafana's own examples: pkg/macros/macros_test.go,
// src/data/CHDatasource.test.ts ('Conditional All'), grafana-plugin-sdk-go sqlutil tests and
// issues (#859 brackets after a macro, #992 longer macros first), Grafana's format registry.
import { describe, expect, it } from 'vitest';
import {
  applyConditionalAll,
  calculateInterval,
  expandQuery,
  interpolateMacros,
  interpolateVariables,
  intervalToMs,
  panelInterval,
  relativeTime,
  roundInterval,
  secondsToHms,
  type TemplateVariable,
} from '../../../dashboards/macros.ts';
import { MonitorError } from '../../../schemas/errors.ts';

// macros_test.go TestInterpolate: 2014-11-12T11:45:26.123Z … 2015-11-12T11:45:26.456Z.
const FROM = Date.parse('2014-11-12T11:45:26.123Z');
const TO = Date.parse('2015-11-12T11:45:26.456Z');
const q = (intervalMs = 20_000, serverTimeZone = 'UTC') => ({
  from: FROM,
  to: TO,
  intervalMs,
  serverTimeZone,
});

describe('backend macros (pkg/macros/macros_test.go)', () => {
  it.each([
    [
      'select * from foo where $__timeFilter(cast(sth as timestamp))',
      'select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND cast(sth as timestamp) <= toDateTime(1447328726)',
    ],
    [
      'select * from foo where $__timeFilter(cast(sth as timestamp) )',
      'select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND cast(sth as timestamp) <= toDateTime(1447328726)',
    ],
    [
      'select * from foo where $__timeFilter_ms(cast(sth as timestamp))',
      'select * from foo where cast(sth as timestamp) >= fromUnixTimestamp64Milli(1415792726123) AND cast(sth as timestamp) <= fromUnixTimestamp64Milli(1447328726456)',
    ],
    [
      'select * from foo where ( date >= $__fromTime and date <= $__toTime ) limit 100',
      'select * from foo where ( date >= toDateTime(1415792726) and date <= toDateTime(1447328726) ) limit 100',
    ],
    [
      'select * from foo where ( date >= $__fromTime ) and ( date <= $__toTime ) limit 100',
      'select * from foo where ( date >= toDateTime(1415792726) ) and ( date <= toDateTime(1447328726) ) limit 100',
    ],
    [
      'select * from foo where ( date >= $__fromTime_ms and date <= $__toTime_ms ) limit 100',
      'select * from foo where ( date >= fromUnixTimestamp64Milli(1415792726123) and date <= fromUnixTimestamp64Milli(1447328726456) ) limit 100',
    ],
  ])('%s', (input, output) => {
    expect(interpolateMacros(input, q())).toBe(output);
  });

  it('$__dateFilter and $__dt print the dates in the Grafana server zone (UTC in the official image)', () => {
    const from = Date.parse('2014-11-12T11:45:26.371Z');
    const to = Date.parse('2015-11-12T11:45:26.371Z');
    const utc = { from, to, intervalMs: 1, serverTimeZone: 'UTC' };
    expect(interpolateMacros('$__dateFilter(dateCol)', utc)).toBe(
      "dateCol >= toDate('2014-11-12') AND dateCol <= toDate('2015-11-12')",
    );
    expect(interpolateMacros('$__dateTimeFilter(dateCol, timeCol)', utc)).toBe(
      "(dateCol >= toDate('2014-11-12') AND dateCol <= toDate('2015-11-12')) AND (timeCol >= toDateTime(1415792726) AND timeCol <= toDateTime(1447328726))",
    );
    expect(interpolateMacros('$__dt(d, t)', utc)).toBe(interpolateMacros('$__dateTimeFilter(d, t)', utc));
    // 2014-11-12T20:00Z is already the 13th in China: the server's zone decides the date.
    const evening = {
      ...utc,
      from: Date.parse('2014-11-12T20:00:00Z'),
      to: Date.parse('2014-11-12T20:00:00Z'),
    };
    expect(interpolateMacros('$__dateFilter(d)', evening)).toContain("toDate('2014-11-12')");
    expect(interpolateMacros('$__dateFilter(d)', { ...evening, serverTimeZone: 'Asia/Shanghai' })).toContain(
      "toDate('2014-11-13')",
    );
  });

  it('$__timeInterval, $__timeInterval_ms and $__interval_s use the interval, at least 1 s / 1 ms', () => {
    expect(interpolateMacros('select $__timeInterval(col) from foo', q(20_000))).toBe(
      'select toStartOfInterval(toDateTime(col), INTERVAL 20 second) from foo',
    );
    expect(interpolateMacros('select $__timeInterval_ms(col) from foo', q(20_000))).toBe(
      'select toStartOfInterval(toDateTime64(col, 3), INTERVAL 20000 millisecond) from foo',
    );
    expect(
      interpolateMacros(
        'select toStartOfInterval(col, INTERVAL $__interval_s second) AS time from foo',
        q(20_000),
      ),
    ).toBe('select toStartOfInterval(col, INTERVAL 20 second) AS time from foo');
    expect(interpolateMacros('$__interval_s', q(500))).toBe('1');
    expect(interpolateMacros('$__interval_s', q(1_500))).toBe('1');
  });

  it('arguments are split on commas at depth 1 only, so functions can be arguments', () => {
    expect(interpolateMacros("$__timeFilter(toDateTime(at, 'Asia/Shanghai'))", q())).toBe(
      "toDateTime(at, 'Asia/Shanghai') >= toDateTime(1415792726) AND toDateTime(at, 'Asia/Shanghai') <= toDateTime(1447328726)",
    );
  });

  it('a bracket not right after the name is not an argument list (SDK issue #859)', () => {
    expect(interpolateMacros('select $__interval_s*(a + b) > 5', q(20_000))).toBe('select 20*(a + b) > 5');
    expect(interpolateMacros('WHERE at >= $__fromTime AND division IN (1)', q())).toBe(
      'WHERE at >= toDateTime(1415792726) AND division IN (1)',
    );
  });

  it('longer macro names go first, so $__interval does not eat $__interval_ms (SDK #992)', () => {
    expect(interpolateMacros("select '$__interval', $__interval_ms", q(20_000))).toBe("select '20s', 20000");
  });

  it('the same macro with different arguments expands each (sqlds #11)', () => {
    expect(interpolateMacros('$__timeFilter(a) AND $__timeFilter(b)', q())).toBe(
      'a >= toDateTime(1415792726) AND a <= toDateTime(1447328726) AND b >= toDateTime(1415792726) AND b <= toDateTime(1447328726)',
    );
  });

  it('a wrong argument count or a missing bracket is refused, as the plugin refuses it', () => {
    expect(() => interpolateMacros('$__timeFilter(a, b)', q())).toThrow(
      'unexpected number of arguments: expected 1 argument, received 2',
    );
    expect(() => interpolateMacros('$__timeFilter', q())).toThrow('expected 1 argument, received 0');
    expect(() => interpolateMacros('$__dt(a)', q())).toThrow('expected 2 arguments, received 1');
    expect(() => interpolateMacros('$__timeFilter(at', q())).toThrow(MonitorError);
    expect(() => interpolateMacros('$__timeFilter(at', q())).toThrow('missing close bracket');
  });

  it("the SDK's default macros fill in what the plugin does not define", () => {
    expect(interpolateMacros('$__timeFrom(t) AND $__timeTo(t)', q())).toBe(
      "t >= '2014-11-12T11:45:26Z' AND t <= '2015-11-12T11:45:26Z'",
    );
    expect(interpolateMacros('$__timeGroup(t, day)', q())).toBe(
      'datepart(day, t),datepart(month, t),datepart(year, t)',
    );
  });
});

describe('$__conditionalAll (CHDatasource.test.ts, Conditional All)', () => {
  const v = (name: string, value: string | string[]) => ({ name, current: { value } });

  it('should replace $__conditionalAll with 1=1 when all is selected', () => {
    const rawSql = 'select stuff from table where $__conditionalAll(fieldVal in ($fieldVal), $fieldVal);';
    expect(applyConditionalAll(rawSql, [v('fieldVal', '$__all')])).toBe('select stuff from table where 1=1;');
  });

  it('should replace $__conditionalAll with arg when anything else is selected', () => {
    const rawSql = 'select stuff from table where $__conditionalAll(fieldVal in ($fieldVal), $fieldVal);';
    expect(applyConditionalAll(rawSql, [v('fieldVal', `'val1', 'val2'`)])).toBe(
      'select stuff from table where fieldVal in ($fieldVal);',
    );
  });

  it('should replace all $__conditionalAll', () => {
    const rawSql =
      'select stuff from table where $__conditionalAll(fieldVal in ($fieldVal), $fieldVal) and $__conditionalAll(fieldVal in ($fieldVal2), $fieldVal2);';
    expect(applyConditionalAll(rawSql, [v('fieldVal', `'val1', 'val2'`), v('fieldVal2', '$__all')])).toBe(
      'select stuff from table where fieldVal in ($fieldVal) and 1=1;',
    );
  });

  it(`reads \${var} and a multi-value All (["$__all"]) too; an empty selection counts as All`, () => {
    const sql = `$__conditionalAll(division IN (\${admdvs:singlequote}), \${admdvs})`;
    expect(applyConditionalAll(sql, [v('admdvs', ['$__all'])])).toBe('1=1');
    expect(applyConditionalAll(sql, [v('admdvs', [])])).toBe('1=1');
    expect(applyConditionalAll(sql, [v('admdvs', ['510104'])])).toBe(`division IN (\${admdvs:singlequote})`);
  });

  it('keeps nested brackets and commas below depth 1 inside the condition', () => {
    const sql = `WHERE $__conditionalAll(concat(scale, ':', level) IN (\${level:singlequote}), $level) AND x`;
    expect(applyConditionalAll(sql, [v('level', ['grade:D'])])).toBe(
      `WHERE concat(scale, ':', level) IN (\${level:singlequote}) AND x`,
    );
  });

  it('an unknown variable keeps the condition; a macro without two arguments stops the pass', () => {
    expect(applyConditionalAll('$__conditionalAll(a = 1, $nope)', [])).toBe('a = 1');
    const broken = '$__conditionalAll(a = 1, $x) AND $__conditionalAll(b = 2)';
    expect(applyConditionalAll(broken, [v('x', '$__all')])).toBe(broken);
  });
});

describe("Grafana's variable interpolation with the plugin's format", () => {
  const admdvs: TemplateVariable = {
    name: 'admdvs',
    current: { value: ['510104', '510105'] },
    options: ['320102', '510104', '510105'],
  };
  const all: TemplateVariable = { ...admdvs, current: { value: ['$__all'] } };

  it("without a format an array becomes 'a','b' and a single value stays raw (CHDatasource.format)", () => {
    expect(interpolateVariables('IN ($admdvs)', [admdvs])).toBe("IN ('510104','510105')");
    expect(interpolateVariables('= $x', [{ name: 'x', current: { value: 'H1' }, options: [] }])).toBe('= H1');
  });

  it(':singlequote quotes each value and escapes quotes with a backslash (format registry)', () => {
    expect(interpolateVariables(`\${admdvs:singlequote}`, [admdvs])).toBe("'510104','510105'");
    const name = { name: 'n', current: { value: "O'Brien" }, options: [] };
    expect(interpolateVariables(`\${n:singlequote}`, [name])).toBe("'O\\'Brien'");
    expect(interpolateVariables(`\${n:sqlstring}`, [name])).toBe("'O''Brien'");
    expect(interpolateVariables(`\${admdvs:csv}`, [admdvs])).toBe('510104,510105');
  });

  it('All without a custom all value is every option; with one, the value as written', () => {
    expect(interpolateVariables(`\${admdvs:singlequote}`, [all])).toBe("'320102','510104','510105'");
    expect(interpolateVariables(`\${admdvs:singlequote}`, [{ ...all, allValue: '.*' }])).toBe('.*');
  });

  it('leaves names that are no variable for the backend: $__timeFilter, $__interval_s', () => {
    const sql = 'WHERE $__timeFilter(at) AND x = $__interval_s AND y = [[admdvs]]';
    expect(interpolateVariables(sql, [admdvs])).toBe(
      "WHERE $__timeFilter(at) AND x = $__interval_s AND y = '510104','510105'",
    );
  });

  it('refuses a format the dashboards do not use, naming it', () => {
    expect(() => interpolateVariables(`\${admdvs:lucene}`, [admdvs])).toThrow('":lucene"');
  });
});

describe("Grafana's panel interval (rangeutil)", () => {
  it('rounds range / resolution to a bucket size and raises it to the min interval', () => {
    expect(roundInterval(604_800)).toBe(600_000);
    expect(roundInterval(5_399_999)).toBe(3_600_000);
    expect(roundInterval(4e12)).toBe(31_536_000_000);
    const week = { from: 0, to: 7 * 86_400_000 };
    expect(calculateInterval(week, 1_000)).toEqual({ intervalMs: 600_000, interval: '10m' });
    expect(calculateInterval(week, 1_000, '1h')).toEqual({ intervalMs: 3_600_000, interval: '1h' });
    expect(panelInterval(week, { maxDataPoints: 100 })).toBe(3_600_000 * 2);
    expect(intervalToMs('30s')).toBe(30_000);
    expect(intervalToMs('90')).toBe(90_000);
    expect(secondsToHms(86_400)).toBe('1d');
    expect(() => intervalToMs('soon')).toThrow('"soon" is invalid');
  });

  it('reads now and now-<n><unit>', () => {
    expect(relativeTime('now', 1_000_000)).toBe(1_000_000);
    expect(relativeTime('now-7d', 10 * 86_400_000)).toBe(3 * 86_400_000);
    expect(() => relativeTime('now/d', 0)).toThrow('now-<n><unit>');
  });
});

describe('a whole panel query', () => {
  it('conditionalAll, then variables and $__interval, then the backend macros', () => {
    const sql =
      'SELECT $__timeInterval(at) AS time, count() FROM t WHERE $__timeFilter(at) ' +
      `AND $__conditionalAll(division IN (\${admdvs:singlequote}), $admdvs) ` +
      `AND $__conditionalAll(kind IN (\${kind:singlequote}), $kind) AND i = '$__interval' GROUP BY time`;
    const variables: TemplateVariable[] = [
      { name: 'admdvs', current: { value: ['$__all'] }, options: ['1', '2'] },
      { name: 'kind', current: { value: ['pharmacy'] }, options: ['hospital', 'pharmacy'] },
    ];
    expect(expandQuery(sql, { range: { from: FROM, to: TO }, intervalMs: 3_600_000, variables })).toBe(
      'SELECT toStartOfInterval(toDateTime(at), INTERVAL 3600 second) AS time, count() FROM t WHERE ' +
        'at >= toDateTime(1415792726) AND at <= toDateTime(1447328726) ' +
        "AND 1=1 AND kind IN ('pharmacy') AND i = '1h' GROUP BY time",
    );
  });
});
