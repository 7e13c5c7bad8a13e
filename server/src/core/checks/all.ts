import type { Check } from './check';

/** The catalogue, in the order findings are computed. */
export const ALL_CHECKS: readonly Check[] = [];
