// Unit tests of the X-Fields parser and applier against flask-restx's behaviour (pure).
import { describe, expect, it } from 'vitest';
import { applyMask, MaskError, parseMask } from '../../src/fake-datagouv/field-mask.ts';

describe('parseMask', () => {
  it('parses flat, nested and braced masks alike', () => {
    const m = parseMask('{data{id,internal{last_modified_internal}},total}');
    expect([...m.keys()]).toEqual(['data', 'total']);
    const data = m.get('data');
    expect(data instanceof Map && [...data.keys()]).toEqual(['id', 'internal']);
    expect(parseMask('id, title')).toEqual(parseMask('{id,title}'));
  });

  it('accepts keys with colons and dashes like extras keys', () => {
    expect([...parseMask('extras{check:date,analysis:last-modified-at}').get('extras') as Map<string, unknown>].length).toBe(2);
  });

  it.each(['{id', 'id}', 'a,,b', '{a{b}', '{b', ',a', 'a,{b}'])('rejects malformed mask %s', (mask) => {
    expect(() => parseMask(mask)).toThrow(MaskError);
  });
});

describe('applyMask', () => {
  const item = { id: 'x', title: 't', internal: { created_at_internal: 'c', last_modified_internal: 'm' }, harvest: null, resources: [{ id: 'r1', title: 'a' }, { id: 'r2', title: 'b' }] };

  it('keeps only masked fields, nested through objects and lists', () => {
    expect(applyMask(item, parseMask('id,internal{last_modified_internal},resources{id}'))).toEqual({
      id: 'x',
      internal: { last_modified_internal: 'm' },
      resources: [{ id: 'r1' }, { id: 'r2' }],
    });
  });

  it('leaves out a masked field the object does not have (flask-restx masks the model with skip=True)', () => {
    expect(applyMask(item, parseMask('id,nope,nested{a}'))).toEqual({ id: 'x' });
  });

  it('renders null for a nested mask on a null value', () => {
    expect(applyMask(item, parseMask('harvest{backend}'))).toEqual({ harvest: null });
  });

  it('adds every other field with the * wildcard while still masking nested ones', () => {
    const out = applyMask(item, parseMask('*,resources{id}')) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(Object.keys(item));
    expect(out['resources']).toEqual([{ id: 'r1' }, { id: 'r2' }]);
  });

  it('applies to each element of a list', () => {
    expect(applyMask([item, item], parseMask('id'))).toEqual([{ id: 'x' }, { id: 'x' }]);
  });

  it('refuses a nested mask on a scalar field', () => {
    expect(() => applyMask(item, parseMask('title{x}'))).toThrow('Mask is inconsistent with model');
  });
});
