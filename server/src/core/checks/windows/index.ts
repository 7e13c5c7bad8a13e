import type { Check } from '../check';
import { hclEscapeCheck } from './hclEscape';

export const WINDOWS_CHECKS: readonly Check[] = [hclEscapeCheck];
