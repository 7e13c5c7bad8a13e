import type { Check } from '../check';
import { imageVersionSkew } from './imageVersionSkew';
import { packerVersionEnvMissing } from './packerVersionEnvMissing';
import { imageBakedAgentState } from './imageBakedAgentState';

export const IMAGE_CHECKS: readonly Check[] = [imageVersionSkew, packerVersionEnvMissing, imageBakedAgentState];
