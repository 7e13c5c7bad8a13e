import type { Check } from '../check';

export const IMAGE_CHECKS: readonly Check[] = [];
