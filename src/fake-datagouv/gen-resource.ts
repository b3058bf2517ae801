// Generates one embedded resource of a dataset from a real resource template (pure).
import { rngFor, uuid, type Rng } from './prng.ts';
import { between, obj, str, type GenContext } from './gen-common.ts';
import { isoSeconds, isoStamp, naiveStamp, DAY_MS } from './time.ts';
import type { Json, JsonObject } from './types.ts';

export interface ResourceParent {
  index: number;
  slug: string;
  createdMs: number;
  lastModifiedMs: number;
  harvested: boolean;
}

/** Hydra's heartbeat keys: they change on every crawl without the resource changing. */
export function heartbeatExtras(ctx: GenContext, extras: JsonObject, key: string, epoch: number): JsonObject {
  if (epoch === 0) return extras;
  const out: JsonObject = { ...extras };
  const checkDate = ctx.clockStartMs - DAY_MS + epoch * 3_600_000 + (rngFor(key, epoch).next() * 1000);
  const naive = typeof extras['check:date'] === 'string' && !/[+Z]/.test(extras['check:date'].slice(19));
  out['check:date'] = naive ? naiveStamp(checkDate) : isoStamp(checkDate);
  const base = typeof extras['check:status'] === 'number' ? extras['check:status'] : 200;
  out['check:status'] = epoch % 2 === 1 ? (base === 200 ? 503 : 200) : base;
  out['check:available'] = out['check:status'] === 200;
  const count = typeof extras['check:count-availability'] === 'number' ? extras['check:count-availability'] : 0;
  out['check:count-availability'] = count + epoch;
  return out;
}

/** udata's ResourceMixin.last_modified: harvest date, else Hydra's remote date, else the local one. */
export function resourceLastModified(r: JsonObject): Json {
  const harvest = obj(r['harvest']);
  if (harvest && typeof harvest['modified_at'] === 'string') return harvest['modified_at'];
  const extras = obj(r['extras']);
  if (r['filetype'] === 'remote' && extras && typeof extras['analysis:last-modified-at'] === 'string') {
    return extras['analysis:last-modified-at'];
  }
  return obj(r['internal'])?.['last_modified_internal'] ?? null;
}

function fileUrl(rng: Rng, tplUrl: string, slug: string, ms: number): string {
  if (!tplUrl.startsWith('https://static.data.gouv.fr/resources/')) return tplUrl;
  const stamp = isoSeconds(ms).slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const base = tplUrl.split('/').pop() ?? `file-${rng.hex(6)}.csv`;
  return `https://static.data.gouv.fr/resources/${slug}/${stamp}/${base}`;
}

function variedExtras(rng: Rng, tpl: JsonObject, lastModifiedMs: number): JsonObject {
  const extras: JsonObject = { ...(obj(tpl['extras']) ?? {}) };
  if (typeof extras['check:date'] === 'string') {
    const ms = lastModifiedMs + rng.int(0, 20) * DAY_MS;
    extras['check:date'] = extras['check:date'].length <= 26 ? naiveStamp(ms) : isoStamp(ms);
  }
  if (typeof extras['analysis:last-modified-at'] === 'string') extras['analysis:last-modified-at'] = isoSeconds(lastModifiedMs);
  if (typeof extras['analysis:checksum'] === 'string') extras['analysis:checksum'] = rng.hex(40);
  if (typeof extras['check:count-availability'] === 'number') extras['check:count-availability'] = rng.int(1, 200);
  return extras;
}

interface ResourceCore {
  rng: Rng;
  tpl: JsonObject;
  id: string;
  createdMs: number;
  modifiedMs: number;
}

/** The first draws of a resource: enough to know its last_modified without building it. */
function resourceCore(ctx: GenContext, parent: ResourceParent, j: number): ResourceCore {
  const rng = rngFor(ctx.seed, 'resource', parent.index, j);
  const tpl = rng.pick(ctx.tpl.resources);
  const id = uuid(rng);
  const createdMs = between(rng, parent.createdMs, parent.lastModifiedMs);
  const modifiedMs = between(rng, createdMs, parent.lastModifiedMs);
  return { rng, tpl, id, createdMs, modifiedMs };
}

/** last_modified of a generated resource, equal to what generateResource computes (a test holds them equal). */
export function generatedResourceLastModified(ctx: GenContext, parent: ResourceParent, j: number): string {
  const { tpl, modifiedMs } = resourceCore(ctx, parent, j);
  if (parent.harvested) return isoSeconds(modifiedMs - 3_600_000);
  const remoteDate = tpl['filetype'] === 'remote' && typeof obj(tpl['extras'])?.['analysis:last-modified-at'] === 'string';
  return remoteDate ? isoSeconds(modifiedMs) : isoStamp(modifiedMs);
}

export function generateResource(ctx: GenContext, parent: ResourceParent, j: number): JsonObject {
  const { rng, tpl, id, createdMs, modifiedMs } = resourceCore(ctx, parent, j);
  const size = typeof tpl['filesize'] === 'number' ? Math.max(1, Math.floor(tpl['filesize'] * (0.5 + rng.next() * 4))) : null;
  const harvest = parent.harvested ? { issued_at: isoSeconds(createdMs), modified_at: isoSeconds(modifiedMs - 3_600_000) } : null;
  const checksum = tpl['checksum'] ? { type: 'sha1', value: rng.hex(40) } : null;
  const r: JsonObject = {
    checksum,
    created_at: isoStamp(createdMs),
    description: tpl['description'] ?? null,
    extras: variedExtras(rng, tpl, modifiedMs),
    filesize: size,
    filetype: str(tpl['filetype'], 'file'),
    format: tpl['format'] ?? null,
    harvest,
    id,
    internal: { created_at_internal: isoStamp(createdMs), last_modified_internal: isoStamp(modifiedMs) },
    last_modified: null,
    latest: '',
    metrics: epochViews(ctx, parent.index, j, rng.int(0, 5000)),
    mime: tpl['mime'] ?? null,
    preview_url: tpl['preview_url'] ? `https://explore.data.gouv.fr/fr/resources/${id}` : null,
    schema: tpl['schema'] ?? null,
    title: str(tpl['title'], `ressource-${j}.csv`),
    type: str(tpl['type'], 'main'),
    url: fileUrl(rng, str(tpl['url']), parent.slug, modifiedMs),
  };
  r['extras'] = heartbeatExtras(ctx, r['extras'] as JsonObject, id, ctx.crawlerEpoch);
  r['last_modified'] = resourceLastModified(r);
  return r;
}

function epochViews(ctx: GenContext, index: number, j: number, base: number): JsonObject {
  const epoch = ctx.metricsEpoch.datasets;
  return { views: epoch === 0 ? base : base + epoch * rngFor(ctx.seed, 'rviews', index, j, epoch).int(1, 9) };
}
