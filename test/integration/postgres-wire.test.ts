// The postgres.js patch (patches/postgres+3.4.9.patch, applied by `npm ci`'s postinstall): a bind
// parameter's text is encoded in one pass into room for its longest UTF-8 form, without a
// Buffer.byteLength scan first. The text PostgreSQL receives must be the same, byte for byte.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';

const sql = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {} });
afterAll(() => sql.end({ timeout: 5 }));

describe('postgres.js bind parameters', () => {
  it('are written by the patched encoder, in the ESM and the CommonJS builds', () => {
    const root = join(dirname(createRequire(import.meta.url).resolve('postgres')), '..', '..'); // cjs/src/index.js
    for (const file of ['src/bytes.js', 'cjs/src/bytes.js']) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text, file).toContain('fit(x.length * 3)');
      expect(text, file).not.toContain('Buffer.byteLength(x)');
    }
  });

  it('reach PostgreSQL as the same UTF-8 text, whatever the width of their characters', async () => {
    const values = [
      'ascii only',
      'é à ç', // 2 bytes each
      '€ 中文', // 3 bytes each
      'a 😀 b', // 4 bytes for two UTF-16 units
      'x'.repeat(300), // past the encoder's initial 256 bytes
      '€'.repeat(400_000), // 1.2 MB of UTF-8 from 400,000 units: the buffer grows for it
      'après ' + '😀'.repeat(50_000),
    ];
    // As one array parameter (a single text), then as separate parameters of one Bind message.
    const rows = await sql.unsafe<{ i: number; text: string; bytes: number }[]>(
      `select i, v as text, octet_length(v) as bytes from unnest($1::text[]) with ordinality as u(v, i) order by i`,
      [values],
    );
    expect(rows.map((r) => r.text)).toEqual(values);
    expect(rows.map((r) => Number(r.bytes))).toEqual(values.map((v) => Buffer.byteLength(v)));
    const separate = await sql.unsafe<{ a: string; b: string; c: string }[]>('select $1::text as a, $2::text as b, $3::text as c', [
      values[5]!,
      values[2]!,
      values[6]!,
    ]);
    expect(separate[0]).toEqual({ a: values[5], b: values[2], c: values[6] });
  });

  it('turn a lone surrogate into U+FFFD, as Buffer.byteLength counted it', async () => {
    const [row] = await sql.unsafe<{ v: string; bytes: number }[]>('select $1::text as v, octet_length($1::text) as bytes', ['a\ud800b']);
    expect(row).toEqual({ v: 'a\ufffdb', bytes: Buffer.byteLength('a\ud800b') });
  });
});
