// Generates one user per the reference's User fields (no real user item exists) (pure).
import { rngFor } from './prng.ts';
import { between, createdMsFor, epochMetrics, idFor, type GenContext } from './gen-common.ts';
import { isoStamp, naiveStamp } from './time.ts';
import { FIRST_NAMES, LAST_NAMES, slugify } from './words.ts';
import type { JsonObject } from './types.ts';

export function generateUser(ctx: GenContext, index: number): JsonObject {
  const rng = rngFor(ctx.seed, 'users', index);
  const fixtureName = ctx.tpl.names[index];
  const [first, last] = fixtureName ?? [rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)];
  const createdMs = createdMsFor(ctx, 'users', index);
  const slug = `${slugify(`${first} ${last}`)}${fixtureName ? '' : `-${index + 1}`}`;
  const avatar = rng.chance(0.3) ? rng.hex(30) : null;
  return {
    about: rng.chance(0.2) ? `Réutilisateur de données à ${last === 'Nguyen' ? 'Lyon' : 'Paris'} — « open data » enthousiaste.` : null,
    active: true,
    avatar: avatar ? `https://static.data.gouv.fr/avatars/${avatar.slice(0, 2)}/${avatar.slice(2)}-original.png` : null,
    avatar_thumbnail: avatar ? `https://static.data.gouv.fr/avatars/${avatar.slice(0, 2)}/${avatar.slice(2)}-500.png` : null,
    email: `${slugify(first)}.${slugify(last)}${index}@example.fr`,
    first_name: first,
    id: idFor(ctx, 'users', index),
    last_login_at: rng.chance(0.8) ? naiveStamp(between(rng, createdMs, ctx.clockStartMs - 1000)) : null,
    last_name: last,
    metrics: epochMetrics(ctx, 'users', index, {
      dataservices: 0,
      datasets: rng.chance(0.1) ? rng.int(1, 20) : 0,
      followers: rng.int(0, 5),
      following: rng.int(0, 10),
      reuses: rng.chance(0.1) ? rng.int(1, 5) : 0,
    }),
    page: '',
    roles: [],
    since: isoStamp(createdMs),
    slug,
    uri: '',
    website: rng.chance(0.15) ? `https://${slugify(last)}.fr` : null,
  };
}
