import type { Check } from '../check';

export const WINDOWS_CHECKS: readonly Check[] = [];
