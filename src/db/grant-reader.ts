// A read-only role for analysts: created if missing (LOGIN, no password), given USAGE on the mirror's
// schema, SELECT on every table and view and EXECUTE on every function the mirror's owner has there,
// and the same by default on what later migrations create. Grants only, never revokes. Touches Postgres.
import type postgres from 'postgres';

export interface ReaderGrant {
  role: string;
  created: boolean;
  database: string;
  schema: string;
  /** The role owning the mirror's objects (whoever ran the migrations). */
  owner: string;
  relations: number;
  functions: number;
  /** PUBLIC may create in the schema (PostgreSQL before 15 by default): so may the reader. */
  publicCanCreate: boolean;
  /** Mirror tables the role could already write before (grants from elsewhere, left as they are). */
  writable: string[];
}

export class ReaderGrantError extends Error {
  override name = 'ReaderGrantError';
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Refuses roles that can already do more than read: a superuser, or the mirror's owner. */
async function checkRole(tx: postgres.TransactionSql, role: string, owner: string): Promise<boolean> {
  const [existing] = await tx<{ rolsuper: boolean }[]>`select rolsuper from pg_roles where rolname = ${role}`;
  if (existing?.rolsuper) throw new ReaderGrantError(`Role ${role} is a superuser: it reads and writes everything; name a role of its own for analysts.`);
  if (role === owner) throw new ReaderGrantError(`Role ${role} owns the mirror's tables: it can write them; name a role of its own for analysts.`);
  return Boolean(existing);
}

async function grantOnce(sql: postgres.Sql, role: string): Promise<ReaderGrant> {
  return sql.begin(async (tx) => {
    const [here] = await tx<{ database: string; schema: string | null; owner: string | null }[]>`
      select current_database() as database, current_schema() as schema,
             (select pg_get_userbyid(relowner) from pg_class where oid = to_regclass('changes')) as owner`;
    if (!here?.schema || !here.owner) throw new ReaderGrantError('This database holds no mirror (no changes table): run `migrate` first.');
    const { database, schema, owner } = here as { database: string; schema: string; owner: string };
    const existed = await checkRole(tx, role, owner);
    if (!existed) await tx.unsafe(`create role ${ident(role)} login`);
    await tx.unsafe(`grant connect on database ${ident(database)} to ${ident(role)}`);
    await tx.unsafe(`grant usage on schema ${ident(schema)} to ${ident(role)}`);
    const relations = await tx<{ name: string }[]>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm', 'f') and pg_get_userbyid(c.relowner) = ${owner}
       order by 1`;
    for (const { name } of relations) await tx.unsafe(`grant select on ${ident(schema)}.${ident(name)} to ${ident(role)}`);
    const functions = await tx<{ signature: string }[]>`
      select p.oid::regprocedure::text as signature from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = ${schema} and p.prokind in ('f', 'a', 'w') and pg_get_userbyid(p.proowner) = ${owner} order by 1`;
    for (const { signature } of functions) await tx.unsafe(`grant execute on routine ${signature} to ${ident(role)}`);
    // What later migrations create (as the owner) is readable too.
    await tx.unsafe(`alter default privileges for role ${ident(owner)} in schema ${ident(schema)} grant select on tables to ${ident(role)}`);
    await tx.unsafe(`alter default privileges for role ${ident(owner)} in schema ${ident(schema)} grant execute on routines to ${ident(role)}`);
    const [facts] = await tx<{ public_create: boolean; writable: string[] }[]>`
      select exists (select 1 from pg_namespace n, aclexplode(n.nspacl) a
                      where n.nspname = ${schema} and a.grantee = 0 and a.privilege_type = 'CREATE') as public_create,
             array(select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = ${schema} and c.relkind in ('r', 'p') and pg_get_userbyid(c.relowner) = ${owner}
                      and has_table_privilege(${role}, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') order by 1) as writable`;
    return {
      role, created: !existed, database, schema, owner,
      relations: relations.length, functions: functions.length,
      publicCanCreate: Boolean(facts?.public_create), writable: facts?.writable ?? [],
    };
  });
}

/** Grants reading to `role`, creating it if missing; a role created meanwhile by another grant is reused. */
export async function grantReader(sql: postgres.Sql, role: string): Promise<ReaderGrant> {
  if (role.length === 0 || Buffer.byteLength(role) > 63) throw new ReaderGrantError(`"${role}" cannot be a role name: 1 to 63 bytes.`);
  if (role.startsWith('pg_')) throw new ReaderGrantError(`"${role}" cannot be a role name: names starting with pg_ are PostgreSQL's.`);
  try {
    return await grantOnce(sql, role);
  } catch (error) {
    if ((error as { code?: string }).code === '42710' || (error as { code?: string }).code === '23505') return grantOnce(sql, role);
    throw error;
  }
}
