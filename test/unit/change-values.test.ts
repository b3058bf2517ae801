// The values a change row stores: old and new values of the changed keys, stamps apart, an insert's
// and a restore's whole object; and the lines `changes` prints from them, arrays read as sets. Pure.
import { describe, expect, it } from 'vitest';
import { linesOf } from '../../src/cli/changes-format.ts';
import type { ChangeRecord } from '../../src/db/sql/select-changes.ts';
import { describeInsert, describeRestore, describeUpdate, splitStamps } from '../../src/harvest/change-values.ts';

const before = { id: 'd1', internal: { last_modified_internal: 'a' }, last_modified: 'a', tags: ['x', 'y', 'z'], title: 'Old', gone: 1 };
const after = { id: 'd1', internal: { last_modified_internal: 'b' }, last_modified: 'b', tags: ['y', 'w'], title: 'New', added: null };

describe('change values', () => {
  it('keeps the old and new values of the changed keys, stamps out of changed_fields', () => {
    const change = describeUpdate(before, after);
    expect(change.changed_fields).toEqual(['added', 'gone', 'tags', 'title']);
    expect(change.stamp_fields).toEqual(['internal', 'last_modified']);
    expect(change.old_values).toEqual({ gone: 1, internal: before.internal, last_modified: 'a', tags: before.tags, title: 'Old' });
    expect(change.new_values).toEqual({ added: null, internal: after.internal, last_modified: 'b', tags: after.tags, title: 'New' });
    expect(Object.hasOwn(change.old_values!, 'added')).toBe(false); // absent before, not null
  });

  it('splits fields into sorted, distinct changes and stamps, whether they come sorted or not', () => {
    expect(splitStamps(['title', 'last_modified', 'id', 'title', 'internal'])).toEqual({ changed_fields: ['id', 'title'], stamp_fields: ['internal', 'last_modified'] });
    expect(splitStamps(['id', 'internal', 'last_modified', 'title'])).toEqual({ changed_fields: ['id', 'title'], stamp_fields: ['internal', 'last_modified'] });
    expect(splitStamps(['id', 'id'])).toEqual({ changed_fields: ['id'], stamp_fields: [] });
  });

  it('gives an insert and a restore the whole object', () => {
    expect(describeInsert(after)).toMatchObject({ new_values: after, old_values: null, stamp_fields: ['internal', 'last_modified'] });
    expect(describeInsert(after).changed_fields).toEqual(['added', 'id', 'tags', 'title']);
    expect(describeRestore(describeUpdate(before, after), after).new_values).toEqual(after);
  });

  it('prints one line per changed field, tags as added and removed sets, stamps only when asked', () => {
    const change = describeUpdate(before, after);
    const record: ChangeRecord = {
      id: '7', run_id: '2', observed_at: '2026-12-01T12:00:00.000Z', entity_type: 'dataset', entity_id: 'd1', organization_id: 'o1',
      op: 'update', changed_fields: change.changed_fields, stamp_fields: change.stamp_fields,
      old_values: change.old_values!, new_values: change.new_values!, deletion_reason: null,
    };
    const lines = linesOf(record, { stamps: false });
    expect(lines.map((l) => l.field)).toEqual(['added', 'gone', 'tags', 'title']);
    expect(lines.find((l) => l.field === 'tags')).toMatchObject({ added: ['w'], removed: ['x', 'z'], old_value: before.tags, new_value: after.tags });
    expect(lines.find((l) => l.field === 'gone')).toMatchObject({ old_value: 1, new_value: null, added: null });
    expect(linesOf(record, { stamps: true }).filter((l) => l.stamp).map((l) => l.field)).toEqual(['internal', 'last_modified']);
    expect(linesOf(record, { stamps: false, field: 'internal' }).map((l) => [l.field, l.stamp])).toEqual([['internal', true]]);
  });
});
