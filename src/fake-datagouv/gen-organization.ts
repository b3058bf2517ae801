// Generates one organization (with members) from the real organization templates (pure).
import { rngFor, type Rng } from './prng.ts';
import { between, byMonths, createdMsFor, epochMetrics, idFor, obj, skewedIndex, str, type GenContext } from './gen-common.ts';
import { isoStamp, naiveStamp, DAY_MS } from './time.ts';
import { ORG_PREFIXES, PLACES, ROLE_LABELS, ROLES, slugify } from './words.ts';
import type { Json, JsonObject } from './types.ts';

function orgName(rng: Rng, tpl: JsonObject, index: number, templates: number): string {
  if (index < templates) return str(tpl['name'], 'Organisation');
  return `${rng.pick(ORG_PREFIXES)} ${rng.pick(PLACES)}`;
}

/** A member as stored: the user is a reference re-rendered from the current user at serve time. */
function member(ctx: GenContext, rng: Rng, orgCreatedMs: number, used: Set<number>): JsonObject | null {
  const users = ctx.counts.users;
  const u = skewedIndex(rng, users, 1.5);
  if (used.has(u)) return null;
  used.add(u);
  const role = rng.pick(ROLES);
  const since = between(rng, orgCreatedMs, ctx.clockStartMs - DAY_MS);
  return {
    label: ROLE_LABELS[role] ?? role,
    role,
    since: isoStamp(since),
    user: {
      class: 'User',
      email: `***@${rng.pick(['data.gouv.fr', 'gmail.com', 'insee.fr', 'mairie.fr', 'laposte.net'])}`,
      id: idFor(ctx, 'users', u),
      last_login_at: rng.chance(0.7) ? naiveStamp(between(rng, since, ctx.clockStartMs - 1000)) : null,
    },
  };
}

function metricsOf(ctx: GenContext, rng: Rng, index: number, members: number): JsonObject {
  const end = ctx.clockStartMs;
  return epochMetrics(ctx, 'organizations', index, {
    dataservices: rng.int(0, 3),
    dataservices_by_months: byMonths(rng, end, 1),
    datasets: Math.floor(rng.next() ** 4 * 2000),
    datasets_by_months: byMonths(rng, end, 3),
    datasets_followers_by_months: byMonths(rng, end, 10),
    datasets_reuses_by_months: byMonths(rng, end, 10),
    followers: rng.int(0, 300),
    members,
    reuses: rng.int(0, 40),
    reuses_by_months: 0,
    reuses_followers_by_months: 0,
    views: Math.floor(rng.next() ** 3 * 1_000_000),
  });
}

export function generateOrganization(ctx: GenContext, index: number): JsonObject {
  const rng = rngFor(ctx.seed, 'organizations', index);
  const templates = ctx.tpl.organizations;
  const tpl = templates[index % templates.length] ?? rng.pick(templates);
  const createdMs = createdMsFor(ctx, 'organizations', index);
  const modifiedMs = between(rng, createdMs, ctx.clockStartMs - DAY_MS);
  const name = orgName(rng, tpl, index, templates.length);
  const used = new Set<number>();
  const memberCount = ctx.counts.users === 0 ? 0 : rng.chance(0.05) ? rng.int(5, 13) : rng.int(1, 3);
  const members: Json[] = [];
  for (let m = 0; m < memberCount; m++) {
    const mem = member(ctx, rng, createdMs, used);
    if (mem) members.push(mem);
  }
  const logoHash = rng.hex(30);
  const hasLogo = rng.chance(0.7);
  return {
    acronym: index < templates.length ? tpl['acronym'] ?? null : null,
    badges: index < templates.length ? tpl['badges'] ?? [] : rng.chance(0.3) ? [{ kind: 'local-authority' }] : [],
    business_number_id: rng.chance(0.8) ? String(rng.int(10_000_000, 99_999_999)) + String(rng.int(100_000, 999_999)) : null,
    created_at: isoStamp(createdMs),
    deleted: ctx.hidden && rng.chance(0.005) ? isoStamp(between(rng, modifiedMs, ctx.clockStartMs - 1000)) : null,
    description: str(tpl['description'], name),
    ext: {},
    extras: obj(tpl['extras']) ?? {},
    id: idFor(ctx, 'organizations', index),
    image_url: null,
    last_modified: isoStamp(modifiedMs),
    logo: hasLogo ? `https://static.data.gouv.fr/avatars/${logoHash.slice(0, 2)}/${logoHash.slice(2)}-original.png` : null,
    logo_thumbnail: hasLogo ? `https://static.data.gouv.fr/avatars/${logoHash.slice(0, 2)}/${logoHash.slice(2)}-100.png` : null,
    members,
    metrics: metricsOf(ctx, rng, index, members.length),
    name,
    page: '',
    permissions: { delete: false, edit: false, harvest: false, members: false, private: false },
    presentation_blocs_published_at: null,
    slug: `${slugify(name)}${index < templates.length ? '' : `-${index + 1}`}`,
    teams: [],
    uri: '',
    url: tpl['url'] ?? null,
    zone: null,
  };
}
