// What a corpus page shows, drawn from a seed: the credentials (Client ID and API key, masked,
// revealed, or with Edit → Renew in progress), the pattern a UI kit draws them in, what sits around
// them (other Client IDs, examples in help popovers and code samples, OAuth wording, notes and
// links sharing a value's cell), how the page delivers them (at once, after an in-app route
// change, in a frame, in inputs a framework fills as DOM properties) and text perturbations. Each
// spec carries its truth, so a read is judged right or wrong. Kits draw specs (kits/*.mjs); this
// file knows no kit.

/** The patterns a kit draws read-only credentials in. */
export const PATTERNS = [
  // Read-only text fields with their labels (the key a password field while masked).
  'fields',
  // A description or detail list: label, then value.
  'details',
  // A two-column table of setting and value.
  'table',
  // A card per value: the value as its headline, the label as a caption under it.
  'cards',
  // Values in monospace code snippets with copy buttons, a label above each.
  'code',
  // The credentials in a modal dialog opened over another page.
  'modal',
  // A tab set, the credentials tab selected.
  'tabs',
  // Labels in one column and values in another, laid out apart.
  'columns',
  // List items whose headline is the value and whose supporting line is the label.
  'list',
];

/** The key as the page shows it. */
export const STATES = ['revealed', 'masked', 'renewing'];

/** How the page delivers the credentials. */
export const DELIVERIES = ['immediate', 'late', 'frame', 'property'];

/** What may sit around the credentials (any subset). */
export const NOISE = ['activity', 'help', 'curl', 'regions', 'oauth', 'showhide', 'note', 'banner'];

/** A small seeded generator (mulberry32): the same seed gives the same pages everywhere. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    unit: next,
    below: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

/** A string's 32-bit hash, to mix a kit's name into its seed. */
function hash(text) {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A version-4 UUID, as P14E shows a Client ID. */
export function uuid(r) {
  const hex = (n) => Array.from({ length: n }, () => HEX[r.below(16)]).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${HEX[8 + r.below(4)]}${hex(3)}-${hex(12)}`;
}

/** An API key in one of the alphabets keys are written in. */
export function apiKey(r) {
  const form = r.below(3);
  if (form === 0) return Array.from({ length: 30 }, () => ALNUM[r.below(62)]).join('');
  if (form === 1) return Array.from({ length: 43 }, () => (ALNUM + '-_')[r.below(64)]).join('').replace(/^[-_]/, 'k');
  // Hex keys still carry letters (a key of digits alone is no key Keyward takes).
  return `${Array.from({ length: 39 }, () => HEX[r.below(16)]).join('')}f`;
}

const CLIENT_LABELS = ['Client ID', 'CLIENT ID', 'client id', 'Client Id', 'ClientID', 'API Client ID', 'Directory API Client ID'];
const KEY_LABELS = ['API Key', 'API key', 'API KEY', 'Api Key', 'Directory API Key', 'Current API key'];
const NEW_KEY_LABELS = ['New API key', 'New API Key', 'Renewed API key', 'Pending API key'];
const SUFFIXES = ['', '', '', ':', ' *'];

/** A label as a page may draw it: a case, now and then an invisible or non-breaking character. */
function label(r, choices, variations) {
  let text = r.pick(choices);
  if (r.chance(0.08)) {
    const at = 1 + r.below(text.length - 1);
    text = `${text.slice(0, at)}\u200b${text.slice(at)}`;
    variations.push('zero-width');
  }
  if (r.chance(0.1)) {
    text = text.replace(' ', '\u00a0');
    variations.push('nbsp');
  }
  return text + r.pick(SUFFIXES);
}

/** Where the console shows the page (the real route is unknown: some say what it is, some do not). */
const URLS = [
  '/web-portal/cas/config#/setup/directory/api-credentials',
  '/web-portal/cas/config#/setup/directory',
  '/web-portal/admin#/setup/directory-settings',
  '/web-portal/dashboard#/setup',
];

/**
 * The spec of page `index` of `kit` for `seed`. Most pages show the Directory credential; some
 * are decoys: the SSO for SaaS Apps "REST API Client ID/Secret" screen, or an OAuth application's
 * client credentials, where nothing may be read.
 */
export function spec(kit, seed, index) {
  const r = rng((seed ^ hash(kit)) + index * 7919);
  const variations = [];
  const pattern = r.pick(PATTERNS);
  const state = r.pick(STATES);
  // Fields, or (in a modal or a tab) fields or a detail list.
  const inputs = pattern === 'fields' || (['modal', 'tabs'].includes(pattern) && r.chance(0.5));
  // Only inputs can be filled by property.
  const delivery = r.pick(DELIVERIES.filter((d) => inputs || d !== 'property'));
  const noise = NOISE.filter(() => r.chance(0.3));
  const decoy = r.chance(0.07) ? r.pick(['sso', 'oauth']) : null;
  const clientId = uuid(r);
  const key = apiKey(r);
  const newKey = state === 'renewing' ? apiKey(r) : null;
  const labels = {
    clientId: decoy === 'sso' ? r.pick(['REST API Client ID', 'Client ID']) : decoy === 'oauth' ? 'Client ID' : label(r, CLIENT_LABELS, variations),
    apiKey: decoy === 'sso' ? r.pick(['REST API Client Secret', 'Client Secret']) : decoy === 'oauth' ? 'Client secret' : label(r, KEY_LABELS, variations),
    newKey: label(r, NEW_KEY_LABELS, variations),
  };
  const heading = decoy === 'sso' ? r.pick(['Connection API Credentials', 'Global Credentials']) : decoy === 'oauth' ? 'OAuth Client' : r.pick(['API Credentials', 'Credentials', 'API credentials']);
  // Values other than the account's own, which must never be read.
  const others = Array.from({ length: 3 }, () => uuid(r));
  const example = { clientId: uuid(r), key: apiKey(r), wording: r.pick(['For example', 'e.g.', 'It looks like', 'Format:', '']) };
  return {
    id: `${kit}-${index}`,
    kit,
    seed,
    index,
    pattern,
    inputs,
    state,
    delivery,
    noise,
    decoy,
    heading,
    url: r.pick(URLS),
    labels,
    values: { clientId, apiKey: key, newKey },
    others,
    example,
    lateMs: 200 + r.below(600),
    variations,
    truth: {
      client_id: clientId,
      api_key: key,
      masked: state === 'masked',
      decoy: decoy !== null,
    },
  };
}

/** A one-line name of a spec, for failure messages and reports. */
export function describe(s) {
  const extra = [...s.noise, ...s.variations, s.decoy && `decoy:${s.decoy}`].filter(Boolean);
  return `${s.id} ${s.pattern} ${s.state} ${s.delivery}${extra.length ? ` [${extra.join(',')}]` : ''}`;
}
