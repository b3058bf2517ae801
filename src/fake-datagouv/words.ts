// Word lists that vary generated titles and names, with the accents and apostrophes real data has (pure).

export const PLACES = [
  'Île-de-France', 'Saint-Étienne', 'Besançon', 'Nîmes', 'Orléans', 'Aix-en-Provence', "Villeneuve-d'Ascq",
  'Clermont-Ferrand', 'Hauts-de-France', 'Provence-Alpes-Côte d’Azur', 'Guadeloupe', 'La Réunion', 'Brest',
  'Montluel', 'Sixt-sur-Aff', 'Grenoble', 'Pointe-à-Pitre', 'Vénissieux', 'Chalon-sur-Saône', 'Ajaccio',
  'Bourg-en-Bresse', 'Évry-Courcouronnes', 'Fréjus', 'Mâcon', 'Péronne', 'Sète', 'Lyon', 'Lille', 'Nantes',
];

export const FIRST_NAMES = [
  'Jean', 'Anne', 'Claire', 'Élodie', 'François', 'Chloé', 'Noël', 'Hélène', 'Loïc', 'Maëlle', 'Jérôme',
  'Zoé', 'Benoît', 'Inès', 'Théo', 'Léa', 'Raphaël', 'Agnès', 'Grégoire', 'Océane', 'Mathis', 'Aurélie',
];

export const LAST_NAMES = [
  'Dupont', 'Martin', 'BERNARD', 'Lefèvre', 'Garçon', 'Da Silva', "N'Diaye", 'Moreau', 'Rousseau',
  'Lemaître', 'Nguyen', 'Faure', 'Müller', 'Benoît', 'Girard', 'Leroy', 'Chevalier', 'Bégué', 'Petit',
];

export const ORG_PREFIXES = [
  'Commune de', 'Communauté de communes de', 'Métropole de', 'Département de', 'Syndicat mixte de',
  'Office de tourisme de', 'Association des usagers de', 'Régie des eaux de', 'Centre hospitalier de',
];

export const LICENSES = ['lov2', 'fr-lo', 'odc-odbl', 'cc-by', 'notspecified', 'other-at', 'lov2', 'lov2'];
export const FREQUENCIES = ['unknown', 'punctual', 'daily', 'weekly', 'monthly', 'annual', 'irregular', 'continuous', 'quarterly'];
export const DATASET_BADGES = ['hvd', 'inspire', 'spd'];
export const GRANULARITIES = ['country', 'fr:region', 'fr:departement', 'fr:commune', 'other'];
export const ROLES = ['admin', 'editor', 'partial_editor'] as const;
export const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrateur',
  editor: 'Éditeur',
  partial_editor: 'Éditeur partiel',
};

/** udata-like slug: lower-case ASCII words joined by dashes. */
export function slugify(text: string): string {
  const hit = slugs.get(text);
  if (hit !== undefined) return hit;
  const slug = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  if (slugs.size < 50_000) slugs.set(text, slug);
  return slug;
}
const slugs = new Map<string, string>();

/** Names of APIs like those of the dataservices catalog (a place or a version makes each one distinct). */
export const API_NAMES = [
  'API Adresse', 'API Géo – Découpage administratif', 'API Recherche d’entreprises', 'API Sirene', 'API Hub’Eau – Qualité des rivières',
  'API Prix des carburants', 'API Annuaire des établissements publics', 'API Calendrier scolaire', 'API Jours fériés', 'API Vigicrues',
  'API Qualité de l’air', 'API Demandes de valeurs foncières', 'API Cadastre', 'API Transport – horaires GTFS', 'API Base Carbone',
  'API Météo – observations', 'API Particulier', 'API Entreprise', 'API Tabulaire', 'API Bornes de recharge', 'API Écoles et collèges',
];
export const API_HOSTS = [
  'api.gouv.fr', 'geo.api.gouv.fr', 'tabular-api.data.gouv.fr', 'hubeau.eaufrance.fr', 'data.geopf.fr', 'api.insee.fr',
  'recherche-entreprises.api.gouv.fr', 'api.transport.data.gouv.fr', 'opendata.agglo-exemple.fr', 'api.meteo-exemple.fr',
];
export const API_TAGS = ['adresse', 'geocodage', 'entreprises', 'sirene', 'transport', 'mobilite', 'eau', 'energie', 'sante', 'education', 'cadastre', 'environnement', 'hvd', 'temps-reel'];
export const ACCESS_REASON_CATEGORIES = ['personal_data', 'security', 'industrial_secret', 'public_order'];
