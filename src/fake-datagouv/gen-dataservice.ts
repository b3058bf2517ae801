// Generates one dataservice (an API of the catalog) in the shape of the recorded dataservice item (pure).
import { objectId, rngFor, uuid, type Rng } from './prng.ts';
import { between, createdMsFor, epochMetrics, idFor, obj, skewedIndex, sortKeys, str, type GenContext } from './gen-common.ts';
import { generateDataset } from './gen-dataset.ts';
import { isoStamp, DAY_MS } from './time.ts';
import { ACCESS_REASON_CATEGORIES, API_HOSTS, API_NAMES, API_TAGS, LICENSES, PLACES, slugify } from './words.ts';
import type { Json, JsonObject } from './types.ts';

/** Most APIs serve no dataset, many one, a few several, and rare aggregators (the tabular API) dozens. */
function servedCount(rng: Rng): number {
  const u = rng.next();
  if (u < 0.5) return 0;
  if (u < 0.82) return 1;
  if (u < 0.97) return rng.int(2, 5);
  return rng.int(10, 60);
}

function listedDataset(ctx: GenContext, index: number): boolean {
  const d = generateDataset(ctx, index, 'rows');
  return !d['private'] && !d['deleted'] && !d['archived'];
}

/** Served datasets as stored (references): only datasets the anonymous listing shows, so a generated link total equals `?dataservice=`. */
function servedDatasets(ctx: GenContext, rng: Rng): Json[] {
  const n = ctx.counts.datasets;
  const want = Math.min(servedCount(rng), n);
  const ids = new Set<string>();
  for (let tries = 0; ids.size < want && tries < want * 4; tries++) {
    const i = skewedIndex(rng, n, 1.5);
    if (!ctx.hidden || listedDataset(ctx, i)) ids.add(idFor(ctx, 'datasets', i));
  }
  return [...ids].map((id) => ({ class: 'Dataset', id }));
}

/** Exactly one of organization (mostly, skewed to big publishers) and owner is set. */
function publisher(ctx: GenContext, rng: Rng): { organization: Json; owner: Json } {
  const { organizations, users } = ctx.counts;
  if (organizations > 0 && (users === 0 || rng.chance(0.9))) {
    return { organization: { class: 'Organization', id: idFor(ctx, 'organizations', skewedIndex(rng, organizations)) }, owner: null };
  }
  if (users > 0) return { organization: null, owner: { class: 'User', id: idFor(ctx, 'users', rng.int(0, users - 1)) } };
  return { organization: null, owner: null };
}

/** Contact points embed the publisher's reference (rendered from the current organization or user at serve time). */
function contactPoints(rng: Rng, who: { organization: Json; owner: Json }, host: string, createdMs: number, real: Json[]): Json[] {
  const count = real.length > 0 ? real.length : rng.chance(0.35) ? 0 : rng.chance(0.85) ? 1 : 2;
  const domain = host.replace(/^api\./, '');
  return Array.from({ length: count }, (_, j) => {
    const tpl = obj(real[j]);
    return {
      contact_form: tpl ? tpl['contact_form'] ?? null : rng.chance(0.2) ? `https://${host}/contact` : null,
      email: tpl ? tpl['email'] ?? null : rng.chance(0.85) ? `${rng.pick(['contact', 'support', 'api', 'donnees'])}@${domain}` : null,
      id: tpl ? str(tpl['id']) : objectId(createdMs + j * 1000, rng),
      name: tpl ? str(tpl['name']) : `${rng.pick(['Équipe API', 'Support technique', 'Service open data', 'Cellule SIG'])} – ${rng.pick(PLACES)}`,
      organization: who.organization,
      owner: who.organization ? null : who.owner,
      role: j === 0 ? 'contact' : rng.pick(['publisher', 'creator', 'custodian']),
    };
  });
}

function access(rng: Rng, slug: string): JsonObject {
  const u = rng.next();
  const none = { access_audiences: [], access_type_reason_category: null, authorization_request_url: null };
  if (u < 0.7) return { ...none, access_type: 'open', access_type_reason: null };
  if (u < 0.82) return { ...none, access_type: 'open_with_account', access_type_reason: rng.chance(0.5) ? 'Un compte gratuit donne la clé d’API.' : null };
  return {
    access_audiences: [
      { role: 'local_authority_and_administration', condition: 'yes' },
      { role: 'company_and_association', condition: rng.pick(['no', 'under_condition']) },
      { role: 'private', condition: 'no' },
    ],
    access_type: 'restricted',
    access_type_reason: 'Accès réservé aux administrations habilitées (données à caractère personnel).',
    access_type_reason_category: rng.pick(ACCESS_REASON_CATEGORIES),
    authorization_request_url: `https://datapass.api.gouv.fr/demandes/${slug}`,
  };
}

function harvestBlock(rng: Rng, host: string, createdMs: number, modifiedMs: number): JsonObject {
  const remote = uuid(rng);
  return {
    archived_at: null,
    archived_reason: null,
    backend: 'DCAT',
    created_at: isoStamp(createdMs - rng.int(1, 300) * DAY_MS),
    domain: host,
    last_update: isoStamp(modifiedMs),
    remote_id: remote,
    remote_url: `https://${host}/catalogue/api/${remote}`,
    source_id: rng.hex(24),
    source_url: `https://${host}/catalogue/dcat.xml`,
    uri: rng.chance(0.5) ? `https://${host}/catalogue/api/${remote}` : null,
  };
}

function tagsOf(rng: Rng): string[] {
  return [...new Set(Array.from({ length: rng.int(0, 4) }, () => rng.pick(API_TAGS)))];
}

function variedTitle(rng: Rng, name: string): string {
  return rng.chance(0.6) ? `${name} – ${rng.pick(PLACES)}` : `${name} v${rng.int(2, 4)}`;
}

const url = (rng: Rng, p: number, value: string): string | null => (rng.chance(p) ? value : null);

/** Index 0 is the recorded item (the API Adresse) with its own texts; the others vary around it. */
export function generateDataservice(ctx: GenContext, index: number): JsonObject {
  const rng = rngFor(ctx.seed, 'dataservices', index);
  const tpl = index === 0 ? (ctx.tpl.dataservices[0] ?? null) : null;
  const createdMs = createdMsFor(ctx, 'dataservices', index);
  const modifiedMs = between(rng, createdMs, ctx.clockStartMs - DAY_MS);
  const name = rng.pick(API_NAMES);
  const title = tpl ? str(tpl['title'], name) : variedTitle(rng, name);
  const slug = tpl ? str(tpl['slug'], slugify(title)) : `${slugify(title)}-${index + 1}`;
  const host = rng.pick(API_HOSTS);
  const base = tpl ? str(tpl['base_api_url']) : `https://${host}/${slugify(name).replace(/^api-/, '')}/v${rng.int(1, 3)}/`;
  const hidden = ctx.hidden ? rng.next() : 1;
  const who = publisher(ctx, rng);
  const views = Math.floor(rng.next() ** 3 * 300_000);
  const discussions = rng.int(0, 8);
  const d: JsonObject = {
    ...access(rng, slug),
    acronym: tpl ? tpl['acronym'] ?? null : rng.chance(0.15) ? name.replace(/^API /, '').slice(0, 6).toUpperCase() : null,
    archived_at: hidden < 0.03 ? isoStamp(between(rng, modifiedMs, ctx.clockStartMs - 1000)) : null,
    availability: rng.pick<number | null>([100, 99.9, 99.5, 98, null]),
    availability_url: url(rng, 0.2, `${base}status`),
    badges: tpl ? tpl['badges'] ?? [] : rng.chance(0.12) ? [{ kind: 'hvd' }] : [],
    base_api_url: tpl || rng.chance(0.97) ? base : null,
    business_documentation_url: tpl ? tpl['business_documentation_url'] ?? null : url(rng, 0.6, `https://${host}/documentation/${slug}`),
    contact_points: contactPoints(rng, who, host, createdMs, tpl && Array.isArray(tpl['contact_points']) ? tpl['contact_points'] : []),
    created_at: isoStamp(createdMs),
    datasets: servedDatasets(ctx, rng),
    deleted_at: hidden >= 0.03 && hidden < 0.035 ? isoStamp(between(rng, modifiedMs, ctx.clockStartMs - 1000)) : null,
    description: tpl ? str(tpl['description']).replace(/…\[truncated\]$/, '') : `L’${title} permet d’interroger les données publiques de ${rng.pick(PLACES)}.\n\n### Accès\n\nVoir la documentation.`,
    extras: tpl ? obj(tpl['extras']) ?? {} : { availability_url: '', is_franceconnect: rng.chance(0.1), public_cible: rng.chance(0.3) ? [rng.pick(['entreprises', 'particuliers', 'collectivites'])] : [] },
    featured: rng.chance(0.7) ? null : rng.chance(0.85) ? false : true,
    format: rng.chance(0.2) ? rng.pick(['REST', 'WMS', 'WSL']) : null,
    harvest: rng.chance(0.15) ? harvestBlock(rng, host, createdMs, modifiedMs) : null,
    id: idFor(ctx, 'dataservices', index),
    license: rng.chance(0.4) ? rng.pick(LICENSES) : null,
    machine_documentation_url: tpl ? tpl['machine_documentation_url'] ?? null : url(rng, 0.7, `${base}openapi.${rng.chance(0.6) ? 'yaml' : 'json'}`),
    metadata_modified_at: isoStamp(modifiedMs),
    metrics: epochMetrics(ctx, 'dataservices', index, { discussions, discussions_open: rng.int(0, discussions), followers: rng.int(0, 120), reuses: rng.int(0, 12), views }),
    ...who,
    permissions: { delete: false, edit: false },
    private: hidden >= 0.035 && hidden < 0.06,
    rate_limiting: tpl ? tpl['rate_limiting'] ?? null : rng.chance(0.5) ? `${rng.pick([10, 50, 100, 7])} appels / seconde / IP` : null,
    rate_limiting_url: url(rng, 0.1, `https://${host}/quotas`),
    self_api_url: '',
    self_web_url: '',
    slug,
    tags: tpl && Array.isArray(tpl['tags']) ? tpl['tags'] : tagsOf(rng),
    technical_documentation_url: tpl ? tpl['technical_documentation_url'] ?? null : url(rng, 0.5, `https://${host}/docs/technique`),
    title,
  };
  return sortKeys(d);
}
