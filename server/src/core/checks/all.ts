import type { Check } from './check';
import { DRIFT_CHECKS } from './drift';
import { WINDOWS_CHECKS } from './windows';
import { IMAGE_CHECKS } from './image';
import { VALIDITY_CHECKS } from './validity';

/** The catalogue, in the order findings are computed. */
export const ALL_CHECKS: readonly Check[] = [...DRIFT_CHECKS, ...IMAGE_CHECKS, ...WINDOWS_CHECKS, ...VALIDITY_CHECKS];
