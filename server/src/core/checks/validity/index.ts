import type { Check } from '../check';

export const VALIDITY_CHECKS: readonly Check[] = [];
