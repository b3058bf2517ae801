// Generates one reuse from the real reuse templates (pure).
import { rngFor, type Rng } from './prng.ts';
import { between, byMonths, createdMsFor, epochMetrics, idFor, obj, skewedIndex, str, type GenContext } from './gen-common.ts';
import { isoStamp, DAY_MS } from './time.ts';
import { PLACES, slugify } from './words.ts';
import type { Json, JsonObject } from './types.ts';

function variedTitle(rng: Rng, title: string, index: number): string {
  if (index < 2) return title;
  return rng.chance(0.5) ? `${title} – ${rng.pick(PLACES)}` : `${title} ${rng.int(2, 9)}`;
}

/** Reused datasets as stored: references by id, rendered as full dataset objects at serve time. */
function datasetRefs(ctx: GenContext, rng: Rng): Json[] {
  const n = ctx.counts.datasets;
  if (n === 0) return [];
  const count = rng.chance(0.8) ? 1 : rng.int(2, 4);
  const ids = new Set<string>();
  for (let i = 0; i < count; i++) ids.add(idFor(ctx, 'datasets', skewedIndex(rng, n, 2)));
  return [...ids].map((id) => ({ class: 'Dataset', id }));
}

function publisher(ctx: GenContext, rng: Rng): { organization: Json; owner: Json } {
  const { organizations, users } = ctx.counts;
  if (organizations > 0 && (users === 0 || rng.chance(0.55))) {
    return { organization: { class: 'Organization', id: idFor(ctx, 'organizations', skewedIndex(rng, organizations)) }, owner: null };
  }
  if (users > 0) return { organization: null, owner: { class: 'User', id: idFor(ctx, 'users', rng.int(0, users - 1)) } };
  return { organization: null, owner: null };
}

export function generateReuse(ctx: GenContext, index: number): JsonObject {
  const rng = rngFor(ctx.seed, 'reuses', index);
  const tpl = ctx.tpl.reuses[index % ctx.tpl.reuses.length] ?? rng.pick(ctx.tpl.reuses);
  const createdMs = createdMsFor(ctx, 'reuses', index);
  const modifiedMs = between(rng, createdMs, ctx.clockStartMs - DAY_MS);
  const title = variedTitle(rng, str(tpl['title'], 'Réutilisation'), index);
  const datasets = datasetRefs(ctx, rng);
  const img = rng.hex(30);
  const hidden = ctx.hidden ? rng.next() : 1;
  const views = Math.floor(rng.next() ** 3 * 50_000);
  const discussions = rng.int(0, 5);
  return {
    archived: hidden < 0.03 ? isoStamp(between(rng, modifiedMs, ctx.clockStartMs - 1000)) : null,
    badges: [],
    created_at: isoStamp(createdMs),
    dataservices: [],
    datasets,
    deleted: hidden >= 0.03 && hidden < 0.033 ? isoStamp(between(rng, modifiedMs, ctx.clockStartMs - 1000)) : null,
    description: str(tpl['description'], title),
    extras: obj(tpl['extras']) ?? {},
    featured: tpl['featured'] === undefined ? null : tpl['featured'],
    id: idFor(ctx, 'reuses', index),
    image: `https://static.data.gouv.fr/images/${img.slice(0, 2)}/${img.slice(2)}.png`,
    image_thumbnail: `https://static.data.gouv.fr/images/${img.slice(0, 2)}/${img.slice(2)}-500.png`,
    last_modified: isoStamp(modifiedMs),
    metrics: epochMetrics(ctx, 'reuses', index, {
      datasets: datasets.length,
      discussions,
      discussions_open: rng.int(0, discussions),
      followers: rng.int(0, 30),
      followers_by_months: byMonths(rng, ctx.clockStartMs - DAY_MS, 1),
      views,
    }),
    ...publisher(ctx, rng),
    page: '',
    permissions: { delete: false, edit: false },
    private: hidden >= 0.033 && hidden < 0.043,
    slug: `${slugify(title)}-${index + 1}`,
    tags: Array.isArray(tpl['tags']) ? tpl['tags'] : [],
    title,
    topic: str(tpl['topic'], 'others'),
    type: str(tpl['type'], 'application'),
    uri: '',
    url: str(tpl['url'], 'https://example.org/'),
  };
}
