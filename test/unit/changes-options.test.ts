// `changes` arguments: moments as dates, times and durations, kinds singular or plural, and the
// contradictions refused in one sentence. Pure.
import { describe, expect, it } from 'vitest';
import { changesFilter, parseKind, parseMoment } from '../../src/cli/changes-options.ts';

const now = new Date('2026-12-01T12:00:00.000Z');

describe('changes arguments', () => {
  it('reads a date as its whole UTC day, a time as that instant, a duration back from now', () => {
    expect(parseMoment('2026-11-30', 'since', now)).toEqual({ at: new Date('2026-11-30T00:00:00Z'), inclusive: true });
    expect(parseMoment('2026-11-30', 'until', now)).toEqual({ at: new Date('2026-12-01T00:00:00Z'), inclusive: false });
    expect(parseMoment('2026-11-30T08:00', 'until', now)).toEqual({ at: new Date('2026-11-30T08:00:00Z'), inclusive: true });
    expect(parseMoment('2026-11-30 08:00:00+02:00', 'since', now).at).toEqual(new Date('2026-11-30T06:00:00Z'));
    expect(parseMoment('24h', 'since', now).at).toEqual(new Date('2026-11-30T12:00:00Z'));
    expect(parseMoment('7d', 'since', now).at).toEqual(new Date('2026-11-24T12:00:00Z'));
    expect(parseMoment('2w', 'since', now).at).toEqual(new Date('2026-11-17T12:00:00Z'));
  });

  it.for(['yesterday', '2026-02-30', '2026-13-01', '7', '-1d', '0h', '', '2026-11-30T25:00'])('refuses the moment %j', (value) => {
    expect(() => parseMoment(value, 'since', now)).toThrow(/expected a date \(2026-11-30\)/);
  });

  it('takes kinds singular or plural, and only the known ones', () => {
    expect(parseKind('datasets')).toBe('dataset');
    expect(parseKind('Dataservice')).toBe('dataservice');
    expect(() => parseKind('thing')).toThrow(/expected one of organization, dataset, resource, reuse, user, dataservice; got "thing"/);
  });

  it('refuses an empty window and a field with an operation that has none', () => {
    expect(() => changesFilter({ since: '2026-12-01', until: '2026-11-30' }, now)).toThrow(/--until .* is not after --since/);
    expect(() => changesFilter({ field: 'title', op: 'delete' }, now)).toThrow(/--field goes with updates and restores/);
    expect(changesFilter({ since: '1d', field: 'title', op: 'update', limit: 5 }, now)).toMatchObject({
      since: new Date('2026-11-30T12:00:00Z'), field: 'title', op: 'update', limit: 5, stamps: false,
    });
  });
});
