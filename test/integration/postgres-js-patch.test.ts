// The postgres.js patch (patches/postgres+3.4.9.patch, applied by `npm ci`'s postinstall):
// - a bind parameter's text is encoded in one pass into room for 1.5 bytes per UTF-16 unit, measured
//   with Buffer.byteLength and written again only when it may not have fit; the text PostgreSQL
//   receives must be the same, byte for byte, on either path;
// - a connection whose session died in a transaction (a terminated backend, a restart) reconnects
//   clean: the closed session's pending bytes, last query and last error are dropped, and the
//   transaction's rollback is refused instead of being written to a socket that is gone (that threw a
//   TypeError from a timer, and left the next connection waiting for connect_timeout).
// - a parameter a serializer leaves as bytes (drizzle's jsonb serializer, given the JSON text kept as
//   received) is sent as those bytes, not as its string conversion.
// Touches Postgres.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';

const sql = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {} });
afterAll(() => sql.end({ timeout: 5 }));

describe('the postgres.js patch', () => {
  it('is installed in the ESM and the CommonJS builds: the encoder and the connection', () => {
    const root = join(dirname(createRequire(import.meta.url).resolve('postgres')), '..', '..'); // cjs/src/index.js
    for (const file of ['src/bytes.js', 'cjs/src/bytes.js']) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text, file).toContain('fit(x.length + (x.length >> 1) + 4)');
    }
    for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
      expect(readFileSync(join(root, file), 'utf8'), file).toContain('query = results = errorResponse = null');
      expect(readFileSync(join(root, file), 'utf8'), file).toContain('x instanceof Uint8Array ? b.bytes(x) : b.str(x)');
    }
  });
});

describe('postgres.js bind parameters', () => {
  it('reach PostgreSQL as the same UTF-8 text, whatever the width of their characters', async () => {
    const values = [
      'ascii only',
      'é à ç', // 2 bytes each
      '€ 中文', // 3 bytes each
      'a 😀 b', // 4 bytes for two UTF-16 units
      'x'.repeat(300), // past the encoder's initial 256 bytes
      'x'.repeat(10_000) + 'é’😀', // mostly ASCII: fits at the first write
      'é'.repeat(9) + '’', // 21 bytes from 10 units: written again once measured
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
    const columns = values.map((_, i) => `$${i + 1}::text as v${i}, octet_length($${i + 1}::text) as b${i}`).join(', ');
    const [separate] = await sql.unsafe<Record<string, string | number>[]>(`select ${columns}`, values);
    expect(values.map((_, i) => separate![`v${i}`])).toEqual(values);
    expect(values.map((_, i) => Number(separate![`b${i}`]))).toEqual(values.map((v) => Buffer.byteLength(v)));
  });

  it('are sent as their bytes when a serializer leaves them as bytes (jsonb under drizzle)', async () => {
    const client = postgres(inject('pgServerUrl'), { max: 1, onnotice: () => {}, types: { jsonb: { to: 3802, from: [3802], serialize: (x: unknown) => x, parse: (x: string) => x } } });
    try {
      const text = '{"a": 1.50, "b": "é😀", "c": [' + '"€",'.repeat(5_000) + '0]}';
      const [row] = await client.unsafe<{ t: string; k: string }[]>('select $1::jsonb ->> $2 as t, jsonb_typeof($1::jsonb) as k', [
        client.typed(Buffer.from(text) as never, 3802),
        'a',
      ]);
      expect(row).toEqual({ t: '1.50', k: 'object' });
    } finally {
      await client.end({ timeout: 5 });
    }
  });

  it('turn a lone surrogate into U+FFFD, as Buffer.byteLength counted it', async () => {
    const [row] = await sql.unsafe<{ v: string; bytes: number }[]>('select $1::text as v, octet_length($1::text) as bytes', ['a\ud800b']);
    expect(row).toEqual({ v: 'a\ufffdb', bytes: Buffer.byteLength('a\ud800b') });
  });
});

describe('a postgres.js connection whose backend is terminated inside a transaction', () => {
  it('answers the next query on a clean session, without a driver fault, every time', async () => {
    const url = inject('pgServerUrl');
    // connect_timeout far above a loopback connection: a reconnection left waiting fails with CONNECT_TIMEOUT.
    const pool = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
    const killer = postgres(url, { max: 1, onnotice: () => {} });
    const faults: unknown[] = [];
    const onFault = (error: unknown) => faults.push(error);
    process.on('uncaughtException', onFault);
    try {
      for (let round = 0; round < 5; round++) {
        const lost = pool.begin(async (tx) => {
          const [backend] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
          await killer`select pg_terminate_backend(${backend!.pid})`;
          await tx`select 1`;
        });
        await expect(lost, `round ${round}`).rejects.toMatchObject({ code: expect.stringMatching(/^(CONNECTION_CLOSED|57P01|ECONNRESET)$/) });
        // Unpatched: CONNECT_TIMEOUT after 5 s, or the closed session's 57P01.
        const [row] = await pool<{ one: number }[]>`select 1 as one`;
        expect(row, `round ${round}`).toEqual({ one: 1 });
      }
      expect(faults).toEqual([]);
    } finally {
      process.off('uncaughtException', onFault);
      await Promise.all([pool.end({ timeout: 5 }), killer.end({ timeout: 5 })]);
    }
  });
});
