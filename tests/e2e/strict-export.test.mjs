// The export suite again, against the emulator's strict profile (`--strict`: filters on few
// attributes, `eq` with case, no escapes in values, sorting by userName only, pages of at most
// 1000): P14E's documents are silent on all of these, so Keyward must work either way.
process.env.KEYWARD_EMULATOR_PROFILE = 'strict';
await import('./export.test.mjs');
