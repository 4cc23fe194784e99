// Token masking for everything the page shows. The rule is the server's
// (portal_emulator/masking.py), served in the page config as RegExp sources: one rule, no
// copy of it here.

import { config } from './portal-state.js';

const RULE = config.mask || { keep: 0, patterns: [] };
const RULES = RULE.patterns.map((p) => [new RegExp(p.source, p.flags), p.replace]);

export function mask(text) {
  return RULES.reduce((masked, [pattern, replacement]) => masked.replace(pattern, replacement), String(text));
}

// A token shown on its own (the scenario summary).
export function maskToken(token) {
  return String(token).slice(0, RULE.keep) + '\u2026';
}

// A message as the inspector shows it: strings as they are, anything else as JSON; masked.
export function describe(data) {
  if (typeof data === 'string') return mask(data);
  try {
    const text = JSON.stringify(data);
    return mask(text === undefined ? String(data) : text);
  } catch (err) {
    return Object.prototype.toString.call(data);
  }
}
