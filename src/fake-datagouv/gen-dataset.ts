// Generates one dataset (with its resources) from the real dataset templates (pure).
import { rngFor, type Rng } from './prng.ts';
import { between, byMonths, createdMsFor, epochMetrics, idFor, obj, skewedIndex, str, type GenContext } from './gen-common.ts';
import { generateResource, generatedResourceLastModified, resourceLastModified } from './gen-resource.ts';
import { dateOnly, isoSeconds, isoStamp, stampMs, DAY_MS } from './time.ts';
import { DATASET_BADGES, FREQUENCIES, GRANULARITIES, LICENSES, PLACES, slugify } from './words.ts';
import type { Json, JsonObject } from './types.ts';

/** Skewed like production: ~5 per dataset on average, a few with hundreds. */
function resourceCount(rng: Rng): number {
  const u = rng.next();
  if (u < 0.002) return rng.int(100, 600);
  if (u < 0.03) return rng.int(15, 60);
  return Math.min(30, 1 + Math.floor(-Math.log(1 - rng.next()) * 2.8));
}

function variedTitle(rng: Rng, title: string, index: number): string {
  if (index < 2) return title;
  const r = rng.next();
  if (r < 0.4) return `${title} – ${rng.pick(PLACES)}`;
  if (r < 0.7) return `${title} (${rng.int(2014, 2026)})`;
  return `${rng.pick(PLACES)} : ${title}`;
}

/** udata Dataset.compute_last_update: harvest date, else the newest resource, else last_modified. */
export function computeLastUpdate(d: JsonObject): Json {
  const harvest = obj(d['harvest']);
  if (harvest && typeof harvest['modified_at'] === 'string') return harvest['modified_at'];
  let best: Json = null;
  let bestMs = -Infinity;
  for (const r of Array.isArray(d['resources']) ? d['resources'] : []) {
    const o = obj(r);
    const v = o ? resourceLastModified(o) : null;
    const ms = stampMs(v);
    if (ms > bestMs) [best, bestMs] = [v, ms];
  }
  return best ?? d['last_modified'] ?? null;
}

function newest(stamps: string[]): string | null {
  let best: string | null = null;
  let bestMs = -Infinity;
  for (const v of stamps) {
    const ms = stampMs(v);
    if (ms > bestMs) [best, bestMs] = [v, ms];
  }
  return best;
}

/** last_modified is the remote date for harvested datasets, else the local one. */
export function computeLastModified(d: JsonObject): Json {
  const harvest = obj(d['harvest']);
  if (harvest && typeof harvest['modified_at'] === 'string') return harvest['modified_at'];
  return obj(d['internal'])?.['last_modified_internal'] ?? null;
}

function harvestBlock(ctx: GenContext, rng: Rng, createdMs: number, modifiedMs: number): JsonObject {
  const tpl = rng.pick(ctx.tpl.harvests);
  const remote = `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
  const domain = str(tpl['domain'], 'www.pigma.org');
  return {
    backend: str(tpl['backend'], 'DCAT'),
    created_at: isoSeconds(createdMs - rng.int(1, 400) * DAY_MS),
    domain,
    last_update: isoStamp(modifiedMs),
    modified_at: isoSeconds(Math.floor((modifiedMs - rng.int(0, 30) * DAY_MS) / DAY_MS) * DAY_MS),
    remote_id: remote,
    remote_url: `https://${domain}/dataset/${remote}`,
    source_id: idFor(ctx, 'organizations', rng.int(0, 999)).slice(0, 8) + rng.hex(16),
  };
}

function metricsOf(ctx: GenContext, rng: Rng, index: number): JsonObject {
  const views = Math.floor(rng.next() ** 3 * 200_000);
  const discussions = rng.int(0, 20);
  return epochMetrics(ctx, 'datasets', index, {
    dataservices: rng.int(0, 2),
    discussions,
    discussions_open: rng.int(0, discussions),
    followers: Math.floor(views / 2000),
    followers_by_months: byMonths(rng, ctx.clockStartMs, 2),
    resources_downloads: Math.floor(views * rng.next() * 3),
    reuses: rng.int(0, 6),
    reuses_by_months: byMonths(rng, ctx.clockStartMs, 1),
    views,
  });
}

/** Who publishes: an organization (skewed, like production's big publishers) or a user. */
function publisher(ctx: GenContext, rng: Rng): { organization: Json; owner: Json } {
  const { organizations, users } = ctx.counts;
  if (organizations > 0 && (users === 0 || rng.chance(0.85))) {
    return { organization: { class: 'Organization', id: idFor(ctx, 'organizations', skewedIndex(rng, organizations)) }, owner: null };
  }
  if (users > 0) return { organization: null, owner: { class: 'User', id: idFor(ctx, 'users', rng.int(0, users - 1)) } };
  return { organization: null, owner: null };
}

/**
 * `rows` mode skips building resources (the bulk of the work) and leaves `resources` as placeholders of the right
 * length; last_update is still exact because resource stamps come from their first draws.
 */
export function generateDataset(ctx: GenContext, index: number, mode: 'full' | 'rows' = 'full'): JsonObject {
  const rng = rngFor(ctx.seed, 'datasets', index);
  const tpl = ctx.tpl.datasets[index % ctx.tpl.datasets.length] ?? rng.pick(ctx.tpl.datasets);
  const createdMs = createdMsFor(ctx, 'datasets', index);
  const modifiedMs = between(rng, createdMs, ctx.clockStartMs - DAY_MS);
  const title = variedTitle(rng, str(tpl['title'], 'Jeu de données'), index);
  const slug = `${slugify(title)}-${index + 1}`;
  const harvested = ctx.tpl.harvests.length > 0 && rng.chance(0.2);
  const harvest = harvested ? harvestBlock(ctx, rng, createdMs, modifiedMs) : null;
  const parent = { index, slug, createdMs, lastModifiedMs: modifiedMs, harvested };
  const count = resourceCount(rng);
  const resources: Json[] = mode === 'full' ? Array.from({ length: count }, (_, j) => generateResource(ctx, parent, j)) : new Array<Json>(count).fill(null);
  const hidden = ctx.hidden ? rng.next() : 1;
  const coverageStart = rng.int(1990, 2025);
  const d: JsonObject = {
    access_audiences: [], access_type: 'open', access_type_reason: null, access_type_reason_category: null,
    acronym: tpl['acronym'] ?? null,
    archived: hidden < 0.04 ? isoStamp(between(rng, modifiedMs, ctx.clockStartMs - 1000)) : null,
    authorization_request_url: null,
    badges: rng.chance(0.1) ? [{ kind: rng.pick(DATASET_BADGES) }] : [],
    contact_points: [],
    created_at: harvest ? harvest['created_at'] ?? null : isoStamp(createdMs),
    deleted: hidden >= 0.04 && hidden < 0.043 ? isoStamp(between(rng, modifiedMs, ctx.clockStartMs - 1000)) : null,
    description: str(tpl['description'], title),
    description_short: null,
    extras: obj(tpl['extras']) ?? {},
    featured: rng.chance(0.02),
    frequency: str(tpl['frequency'], rng.pick(FREQUENCIES)),
    frequency_date: rng.chance(0.5) ? isoSeconds(modifiedMs + 7 * DAY_MS) : null,
    harvest,
    id: idFor(ctx, 'datasets', index),
    internal: { created_at_internal: isoStamp(createdMs), last_modified_internal: isoStamp(modifiedMs) },
    last_modified: null,
    last_update: null,
    license: rng.pick(LICENSES),
    metrics: metricsOf(ctx, rng, index),
    ...publisher(ctx, rng),
    page: '',
    permissions: { delete: false, edit: false, edit_resources: false },
    private: hidden >= 0.043 && hidden < 0.053,
    quality: qualityOf(rng, resources.length),
    resources,
    schema: tpl['schema'] ?? null,
    slug,
    spatial: rng.chance(0.3) ? { geom: null, granularity: rng.pick(GRANULARITIES), zones: ['country:fr'] } : null,
    tags: Array.isArray(tpl['tags']) ? tpl['tags'] : [],
    temporal_coverage: rng.chance(0.35)
      ? { end: dateOnly(Date.UTC(coverageStart + rng.int(0, 3), 11, 31)), start: dateOnly(Date.UTC(coverageStart, 0, 1)) }
      : null,
    title,
    uri: '',
  };
  d['last_modified'] = computeLastModified(d);
  d['last_update'] = mode === 'full' || harvest ? computeLastUpdate(d) : newest(Array.from({ length: count }, (_, j) => generatedResourceLastModified(ctx, parent, j))) ?? d['last_modified'];
  return d;
}

function qualityOf(rng: Rng, resourceCount: number): JsonObject {
  const flags = ['all_resources_available', 'dataset_description_quality', 'has_open_format', 'license', 'resources_documentation', 'spatial', 'temporal_coverage', 'update_frequency', 'update_fulfilled_in_time'];
  const q: JsonObject = { has_resources: resourceCount > 0 };
  let yes = resourceCount > 0 ? 1 : 0;
  for (const f of flags) {
    const v = rng.chance(0.6);
    q[f] = v;
    if (v) yes += 1;
  }
  q['score'] = Math.round((yes / (flags.length + 1)) * 1e15) / 1e15;
  return Object.fromEntries(Object.entries(q).sort(([a], [b]) => a.localeCompare(b))) as JsonObject;
}
