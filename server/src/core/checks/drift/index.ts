import type { Check } from '../check';

export const DRIFT_CHECKS: readonly Check[] = [];
