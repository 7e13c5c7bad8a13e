import type { Check } from '../check';
import { imageVersionSkew } from './imageVersionSkew';
import { packerVersionEnvMissing } from './packerVersionEnvMissing';
import { imageBakedAgentState } from './imageBakedAgentState';
import { serviceConfigPathMismatch } from './serviceConfigPathMismatch';
import { serviceConsulDependency } from './serviceConsulDependency';
import { imageTagVersionVariable } from './imageTagVersionVariable';

export const IMAGE_CHECKS: readonly Check[] = [imageVersionSkew, packerVersionEnvMissing, imageBakedAgentState, serviceConfigPathMismatch, serviceConsulDependency, imageTagVersionVariable];
